/**
 * The /v1 API: networks, epochs, nodes, challenges, records with proofs, usage proofs and reports.
 */
import type { FastifyInstance } from "fastify";

import type { ServerContext } from "../context";

export async function apiRoutes(_app: FastifyInstance, _ctx: ServerContext): Promise<void> {
  // filled in by the endpoint modules
}
