/**
 * Bundle files edited the way a forger would (tests of the bundle readers): the JSON header of a
 * bundle's bytes rewritten, its length field kept right, the records left as they are.
 */
/** Bundle header fields the tests edit (the rest is kept as it is). */
export interface BundleHeaderJson {
  summary: Record<string, string>;
  usage?: Array<Record<string, string>>;
  [key: string]: unknown;
}

/** `bytes` with its header passed through `edit`. */
export function withBundleHeader(bytes: Buffer, edit: (header: BundleHeaderJson) => void): Buffer {
  const end = 16 + bytes.readUInt32LE(12);
  const header = JSON.parse(bytes.toString("utf8", 16, end)) as BundleHeaderJson;
  edit(header);
  const h = Buffer.from(JSON.stringify(header));
  const pre = Buffer.from(bytes.subarray(0, 16));
  pre.writeUInt32LE(h.length, 12);
  return Buffer.concat([pre, h, bytes.subarray(end)]);
}
