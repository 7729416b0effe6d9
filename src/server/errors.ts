/**
 * The API's one error shape, `{error: {code, message, param}}`, for every status it sends (400, 404,
 * 405, 429, 500, 503): route code throws {@link apiError}; Fastify's schema validation errors, the
 * rate limiter's 429, unknown routes and methods, and anything unexpected are turned into the same
 * shape by {@link installErrorHandlers}. `param` names the offending parameter (`id`, `epoch`,
 * `limit`, `format`, …) or is null when no single parameter is at fault.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

import { WorkLedgerError } from "../errors";
import { isStoreUnavailable } from "../reader/sqlStore";

/** The JSON body of every error response. */
export interface ApiErrorBody {
  error: { code: string; message: string; param: string | null };
}

/** An error a route throws to answer with `status` and the error shape. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly param: string | null = null,
  ) {
    super(message);
  }

  get body(): ApiErrorBody {
    return { error: { code: this.code, message: this.message, param: this.param } };
  }
}

/**
 * An ApiError to throw from a route.
 * @example
 * throw apiError(404, "unknown_network", `no network 7 in the index`, "id");
 */
export function apiError(status: number, code: string, message: string, param?: string | null): ApiError {
  return new ApiError(status, code, message, param ?? null);
}

/** JSON schema of the error body (for route `response` schemas and the OpenAPI document). */
export const errorSchema = {
  $id: "ApiError",
  type: "object",
  description: "Every error: a machine code, a message for people, and the parameter at fault (null when none).",
  properties: {
    error: {
      type: "object",
      properties: {
        code: { type: "string" },
        message: { type: "string" },
        param: { type: ["string", "null"] },
      },
      required: ["code", "message", "param"],
    },
  },
  required: ["error"],
} as const;

/** `response` schema entries for the error statuses a read route may send. */
export const errorResponses = {
  400: { $ref: "ApiError#" },
  404: { $ref: "ApiError#" },
  429: { $ref: "ApiError#" },
  500: { $ref: "ApiError#" },
  503: { $ref: "ApiError#" },
} as const;

interface AjvErrorLike {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

const CONTEXT_WORD: Record<string, string> = { querystring: "query parameter", params: "path parameter", headers: "header", body: "body field" };

/** A Fastify validation error as the API's 400: the parameter it names and a sentence about it. */
export function validationError(err: FastifyError): ApiError {
  const v = (err.validation?.[0] ?? { keyword: "", instancePath: "", params: {} }) as AjvErrorLike;
  const where = CONTEXT_WORD[err.validationContext ?? ""] ?? "parameter";
  let param = v.instancePath.replace(/^\//, "").split("/")[0] || null;
  let message: string;
  switch (v.keyword) {
    case "additionalProperties":
      param = String(v.params.additionalProperty);
      return apiError(400, "unknown_parameter", `unknown ${where} "${param}"`, param);
    case "required":
      param = String(v.params.missingProperty);
      return apiError(400, "missing_parameter", `missing ${where} "${param}"`, param);
    case "enum":
      message = `${where} "${param}" must be one of ${(v.params.allowedValues as unknown[]).map(String).join(", ")}`;
      break;
    case "type":
      message = `${where} "${param}" must be ${v.params.type === "integer" ? "an integer" : `of type ${String(v.params.type)}`}`;
      break;
    case "minimum":
    case "maximum":
      message = `${where} "${param}" must be ${v.keyword === "minimum" ? "at least" : "at most"} ${String(v.params.limit)}`;
      return apiError(400, "out_of_range", message, param);
    case "pattern":
      message = `${where} "${param}" is malformed${v.message ? ` (${v.message})` : ""}`;
      break;
    default:
      message = `${where} "${param ?? "?"}" ${v.message ?? "is invalid"}`;
  }
  return apiError(400, "bad_parameter", message, param);
}

function send(reply: FastifyReply, e: ApiError): FastifyReply {
  if (e.statusCode === 405) reply.header("allow", "GET, HEAD");
  return reply.code(e.statusCode).type("application/json; charset=utf-8").send(e.body);
}

/**
 * Route every error, unknown route and unknown method of `app` into the error shape:
 * 400 for validation errors and bad input (an SDK InvalidInputError), 404 for unknown routes,
 * 405 for any method but GET/HEAD, 429 from the rate limiter, 500 otherwise (logged, no details).
 */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | ApiError | WorkLedgerError, req: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof ApiError) return send(reply, err);
    const fe = err as FastifyError;
    if (fe.validation) return send(reply, validationError(fe));
    if (err instanceof WorkLedgerError && err.code === "E_INPUT") return send(reply, apiError(400, "bad_request", err.message.split("\n")[0]));
    if (isStoreUnavailable(err)) {
      // the shared database restarting or unreachable: a replica says so, and a balancer retries elsewhere
      req.log.warn({ err }, "store unavailable");
      return send(reply, apiError(503, "store_unavailable", "the index database is unavailable right now; retry shortly"));
    }
    const status = typeof fe.statusCode === "number" ? fe.statusCode : 500;
    if (status === 429) return send(reply, apiError(429, "rate_limited", fe.message || "too many requests"));
    if (status >= 400 && status < 500) {
      // Fastify's own client errors: a bad URL, a body on a GET, an unsupported media type, …
      return send(reply, apiError(status, fe.code ? fe.code.replace(/^FST_ERR_/, "").toLowerCase() : "bad_request", fe.message));
    }
    req.log.error({ err }, "request failed");
    return send(reply, apiError(500, "internal", "internal error (see the server's log)"));
  });
  app.setNotFoundHandler((req: FastifyRequest, reply: FastifyReply) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      return send(reply, apiError(405, "method_not_allowed", `${req.method} is not allowed: the API is read-only (GET and HEAD only)`));
    }
    const path = req.url.split("?")[0];
    return send(reply, apiError(404, "not_found", `no such route: ${req.method} ${path}`));
  });
}
