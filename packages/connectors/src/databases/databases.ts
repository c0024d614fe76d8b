// The database connectors.
import { mysqlEngine } from "./mysql.ts";
import { postgresEngine } from "./postgres.ts";
import { sqlConnector } from "./sql-connector.ts";

export const postgresConnector = sqlConnector(postgresEngine);
export const mysqlConnector = sqlConnector(mysqlEngine);
