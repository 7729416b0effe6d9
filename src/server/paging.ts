/**
 * Pagination of the API's lists: `?cursor=&limit=` (default 50, at most 500). A cursor is opaque to
 * clients (base64url of the list's name and the key of the last item sent); `nextCursor` is null on
 * the last page. Keys are unique and ordered, so walking every page returns each item once.
 */
import { apiError } from "./errors";

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

/** Querystring properties of a paginated list (add to a route's querystring schema). */
export const pageQuery = {
  cursor: { type: "string", minLength: 1, maxLength: 300, description: "opaque: the nextCursor of the previous page" },
  limit: { type: "integer", minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT, description: `items per page (default ${DEFAULT_LIMIT}, at most ${MAX_LIMIT})` },
} as const;

/** The cursor naming the item after `key` in list `list`. */
export function encodeCursor(list: string, key: (string | number)[]): string {
  return Buffer.from(JSON.stringify([list, ...key]), "utf8").toString("base64url");
}

/**
 * The key in a cursor of list `list` whose parts have the kinds given (`int`: a safe non-negative
 * integer, `hex32`: 0x + 64 hex). Anything else is a 400 `bad_cursor` naming `cursor`.
 */
export function decodeCursor(cursor: string | undefined, list: string, kinds: ("int" | "hex32")[]): (string | number)[] | undefined {
  if (cursor === undefined) return undefined;
  const bad = () => apiError(400, "bad_cursor", `query parameter "cursor" is not a cursor of this list (pass the nextCursor of a previous page of ${list} unchanged)`, "cursor");
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw bad();
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw bad();
  }
  if (!Array.isArray(v) || v[0] !== list || v.length !== kinds.length + 1) throw bad();
  const key = v.slice(1) as unknown[];
  kinds.forEach((k, i) => {
    const x = key[i];
    if (k === "int" ? !(typeof x === "number" && Number.isSafeInteger(x) && x >= 0) : !(typeof x === "string" && /^0x[0-9a-f]{64}$/.test(x))) throw bad();
  });
  return key as (string | number)[];
}

/** A page of `rows` fetched with limit + 1: the first `limit` items and the cursor after them (null at the end). */
export function page<T>(rows: T[], limit: number, list: string, keyOf: (row: T) => (string | number)[]): { items: T[]; nextCursor: string | null } {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  return { items, nextCursor: more ? encodeCursor(list, keyOf(items[items.length - 1])) : null };
}
