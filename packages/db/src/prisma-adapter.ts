// Prisma's Postgres adapter, with two things its interactive transactions get wrong put right:
// - It ends a transaction by sending COMMIT or ROLLBACK and then giving the connection back to the pool — but
//   when that query fails (the server closed the connection: Postgres restarted, the backend was terminated), it
//   never gives it back. Each such transaction kept one connection checked out for good, and a Postgres restart
//   under load left the pool empty and every later query waiting for a connection.
// - It sends a transaction's queries as they come, and the ORM loads related records (`include`) with queries
//   sent together; they overlap on the transaction's one connection, which pg queues only with a deprecation
//   warning (pg 9 refuses them).
import { PrismaPg } from "@prisma/adapter-pg";

type Transaction = Awaited<ReturnType<Awaited<ReturnType<PrismaPg["connect"]>>["startTransaction"]>>;

/** Prisma's Postgres adapter, whose transactions send one query at a time and give their connection back. */
export class SafeTransactionsPrismaPg extends PrismaPg {
  override async connect() {
    const adapter = await super.connect();
    const startTransaction = adapter.startTransaction.bind(adapter);
    adapter.startTransaction = async (isolationLevel) => madeSafe(await startTransaction(isolationLevel));
    return adapter;
  }
}

function madeSafe(transaction: Transaction): Transaction {
  const queryRaw = transaction.queryRaw.bind(transaction);
  const executeRaw = transaction.executeRaw.bind(transaction);
  let previous: Promise<unknown> = Promise.resolve();
  /** Sends a query once the one before it has been answered. */
  const inTurn = <T>(send: () => Promise<T>): Promise<T> => {
    const turn = previous.then(send);
    previous = turn.catch(() => undefined);
    return turn;
  };
  transaction.queryRaw = (query) => inTurn(() => queryRaw(query));
  transaction.executeRaw = (query) =>
    inTurn(async () => {
      try {
        return await executeRaw(query);
      } catch (error) {
        // The adapter's rollback() sends nothing: it only gives the connection back, and the pool throws a
        // closed one away. A COMMIT that failed on a live connection has ended its transaction all the same.
        if (query.sql === "COMMIT" || query.sql === "ROLLBACK") await transaction.rollback();
        throw error;
      }
    });
  return transaction;
}
