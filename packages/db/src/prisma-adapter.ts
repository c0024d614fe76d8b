// Prisma ends an interactive transaction by sending COMMIT or ROLLBACK and then giving the connection back to
// the pool — but when that query fails (the server closed the connection: Postgres restarted, the backend was
// terminated), it never gives it back. Each such transaction kept one connection checked out for good, and a
// Postgres restart under load left the pool empty and every later query waiting for a connection.
import { PrismaPg } from "@prisma/adapter-pg";

type Transaction = Awaited<ReturnType<Awaited<ReturnType<PrismaPg["connect"]>>["startTransaction"]>>;

/** Prisma's Postgres adapter, whose transactions give their connection back whatever becomes of their end. */
export class ReleasingPrismaPg extends PrismaPg {
  override async connect() {
    const adapter = await super.connect();
    const startTransaction = adapter.startTransaction.bind(adapter);
    adapter.startTransaction = async (isolationLevel) => releasingAtEnd(await startTransaction(isolationLevel));
    return adapter;
  }
}

function releasingAtEnd(transaction: Transaction): Transaction {
  const executeRaw = transaction.executeRaw.bind(transaction);
  transaction.executeRaw = async (query) => {
    try {
      return await executeRaw(query);
    } catch (error) {
      // The adapter's rollback() sends nothing: it only gives the connection back, and the pool throws a
      // closed one away. A COMMIT that failed on a live connection has ended its transaction all the same.
      if (query.sql === "COMMIT" || query.sql === "ROLLBACK") await transaction.rollback();
      throw error;
    }
  };
  return transaction;
}
