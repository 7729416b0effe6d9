/**
 * JSON schemas shared by the routes: path parameters, and the response objects the OpenAPI
 * document describes (Fastify also serializes responses with them).
 */

/** Largest id or epoch the index holds exactly (JS safe integer). */
export const MAX_ID = Number.MAX_SAFE_INTEGER;

export const networkIdParam = {
  type: "integer",
  minimum: 1,
  maximum: MAX_ID,
  description: "network id (from 1)",
} as const;
export const epochParam = {
  type: "integer",
  minimum: 0,
  maximum: MAX_ID,
  description: "epoch number",
} as const;
export const nodeIdParam = {
  type: "string",
  minLength: 1,
  maxLength: 256,
  description: "node id: 0x + 64 hex is used as is, any other text is keccak256(utf8(text)) (the CLI's rule)",
} as const;
export const customerParam = {
  type: "string",
  minLength: 1,
  maxLength: 64,
  description: "customer address (0x + 40 hex, EIP-55 checksum or all lowercase)",
} as const;

/** `?version=N` of the proof routes. */
export const versionQuery = {
  type: "object",
  additionalProperties: false,
  properties: {
    version: {
      type: "integer",
      minimum: 1,
      maximum: 4_294_967_295,
      description:
        "an earlier version of the epoch (default: the latest). A superseded version's proof shows what was committed before a correction; `check-proof` reports that it is not the latest. Its records come from --bundles DIR (the index keeps the latest version's only).",
    },
  },
} as const;

const hex32 = { type: "string", pattern: "^0x[0-9a-f]{64}$" } as const;
const address = { type: "string", pattern: "^0x[0-9a-fA-F]{40}$" } as const;
const uintString = {
  type: "string",
  pattern: "^[0-9]+$",
  description: "decimal integer (token units or work units)",
} as const;
const nullableInt = { type: ["integer", "null"] } as const;
const nullableString = { type: ["string", "null"] } as const;
const STATUS = {
  type: "string",
  enum: ["pending", "challenged", "final", "voided"],
  description: "as of `now` (the chain head's time): a pending version is final from finalizesAt on",
} as const;

/** The signed summary of a version (root, totals, dataHash, usage words). */
const versionSummary = {
  root: hex32,
  recordCount: { type: "integer" },
  activeNodes: { type: "integer" },
  totalWorkUnits: uintString,
  totalRevenue: uintString,
  dataHash: hex32,
  usageRoot: hex32,
  usageCount: { type: "integer" },
  totalUsage: uintString,
} as const;

export const epochSummarySchema = {
  $id: "EpochSummary",
  type: "object",
  properties: {
    epoch: { type: "integer" },
    version: { type: "integer", description: "latest version" },
    status: STATUS,
    finalizesAt: { ...nullableInt, description: "unix seconds" },
    ...versionSummary,
    committedBlock: { type: "integer" },
  },
  required: ["epoch", "version", "status", "root", "recordCount"],
} as const;

const networkProps = {
  networkId: { type: "integer" },
  name: { type: "string" },
  label: nullableString,
  admin: address,
  token: address,
  workUnit: { type: "string" },
  genesisTime: nullableInt,
  epochSeconds: nullableInt,
  challengeWindow: nullableInt,
  capacityPerNode: uintString,
  paused: { type: "boolean" },
  finalizedCount: {
    type: "integer",
    description: "epochs 0..finalizedCount-1 are final (the finality cursor)",
  },
  verifierSetId: nullableInt,
  threshold: nullableInt,
  verifierCount: nullableInt,
  createdBlock: { type: "integer" },
  counts: {
    type: "object",
    properties: {
      epochs: { type: "integer" },
      nodes: { type: "integer" },
      activeNodes: { type: "integer" },
    },
  },
  latestEpoch: { anyOf: [{ $ref: "EpochSummary#" }, { type: "null" }] },
} as const;

export const networkSchema = {
  $id: "Network",
  type: "object",
  properties: networkProps,
  required: ["networkId", "name", "counts", "latestEpoch"],
} as const;

export const networkDetailSchema = {
  $id: "NetworkDetail",
  type: "object",
  properties: {
    ...networkProps,
    trust: {
      type: "object",
      properties: {
        arbiter: { ...nullableString },
        bond: nullableString,
        thawSeconds: nullableInt,
        arbiterDeadline: nullableInt,
        maxStatementEpochs: nullableInt,
      },
    },
    verifiers: {
      type: "array",
      items: address,
      description: "the current verifier set",
    },
    verifierSets: {
      type: "array",
      items: {
        type: "object",
        properties: {
          verifierSetId: { type: "integer" },
          threshold: { type: "integer" },
          verifiers: { type: "array", items: address },
          blockNumber: { type: "integer" },
        },
      },
    },
    epochsByStatus: {
      type: "object",
      properties: {
        pending: { type: "integer" },
        challenged: { type: "integer" },
        final: { type: "integer" },
        voided: { type: "integer" },
      },
    },
    challenges: {
      type: "object",
      properties: { total: { type: "integer" }, open: { type: "integer" } },
    },
  },
  required: ["networkId", "trust", "verifiers", "epochsByStatus"],
} as const;

export const challengeSchema = {
  $id: "Challenge",
  type: "object",
  properties: {
    networkId: { type: "integer" },
    epoch: { type: "integer" },
    version: { type: "integer" },
    state: { type: "string", enum: ["open", "upheld", "rejected", "expired"] },
    challenger: address,
    reasonHash: hex32,
    bond: uintString,
    deadline: {
      type: "integer",
      description: "unix seconds: the arbiter rules before it, then anyone may expire the challenge",
    },
    resolved: { type: "boolean" },
    upheld: { type: ["boolean", "null"] },
    expired: { type: "boolean" },
    arbiter: nullableString,
    resolvedBlock: nullableInt,
    resolvedTxHash: nullableString,
    blockNumber: { type: "integer" },
    logIndex: { type: "integer" },
    txHash: nullableString,
  },
  required: ["networkId", "epoch", "version", "state", "challenger", "blockNumber"],
} as const;

export const epochDetailSchema = {
  $id: "EpochDetail",
  type: "object",
  properties: {
    networkId: { type: "integer" },
    ...epochSummarySchema.properties,
    latestVersion: { type: "integer" },
    now: {
      type: "integer",
      description: "unix seconds the statuses are computed at",
    },
    versions: {
      type: "array",
      items: {
        type: "object",
        properties: {
          version: { type: "integer" },
          status: { type: "string" },
          finalizesAt: nullableInt,
          ...versionSummary,
          verifierSetId: { type: "integer" },
          signers: { type: "array", items: address },
          supersededBy: nullableInt,
          reasonHash: nullableString,
          blockNumber: { type: "integer" },
          txHash: nullableString,
        },
      },
    },
    statusChanges: {
      type: "array",
      items: {
        type: "object",
        properties: {
          version: { type: "integer" },
          change: {
            type: "string",
            description: "committed | corrected | challenged | resolved | expired",
          },
          status: { type: "string" },
          upheld: { type: ["boolean", "null"] },
          account: nullableString,
          reasonHash: nullableString,
          blockNumber: { type: "integer" },
          logIndex: { type: "integer" },
          txHash: nullableString,
        },
      },
    },
    challenges: { type: "array", items: { $ref: "Challenge#" } },
  },
  required: ["networkId", "epoch", "versions", "statusChanges", "challenges"],
} as const;

export const nodeSchema = {
  $id: "Node",
  type: "object",
  properties: {
    nodeId: hex32,
    name: nullableString,
    group: nullableString,
    operator: address,
    active: { type: "boolean" },
    registeredBlock: { type: "integer" },
    deactivatedBlock: nullableInt,
  },
  required: ["nodeId", "operator", "active"],
} as const;

export const nodeDetailSchema = {
  $id: "NodeDetail",
  type: "object",
  properties: {
    networkId: { type: "integer" },
    ...nodeSchema.properties,
    history: {
      type: "array",
      items: {
        type: "object",
        properties: {
          status: { type: "string" },
          account: nullableString,
          blockNumber: { type: "integer" },
          logIndex: { type: "integer" },
          txHash: nullableString,
        },
      },
    },
    claims: {
      type: "array",
      items: {
        type: "object",
        properties: {
          amount: uintString,
          cumulativeClaimed: uintString,
          throughEpoch: { type: "integer" },
          operator: address,
          to: address,
          blockNumber: { type: "integer" },
          txHash: nullableString,
        },
      },
    },
    records: {
      type: "array",
      description: "the node's records in the latest version of its newest epochs (at most 100), from the imported bundles",
      items: {
        type: "object",
        properties: {
          epoch: { type: "integer" },
          version: { type: "integer" },
          workUnits: uintString,
          uptimeBps: { type: "integer" },
          revenue: uintString,
          evidence: hex32,
        },
      },
    },
  },
  required: ["networkId", "nodeId", "history", "claims", "records"],
} as const;

/** What both proof files share: where the leaf is (chain, ledger, network, epoch, version). */
const proofWhere = {
  chainId: { type: "integer" },
  ledger: address,
  networkId: { type: "integer" },
  epoch: { type: "integer" },
  version: { type: "integer" },
} as const;
const WHERE_KEYS = ["chainId", "ledger", "networkId", "epoch", "version"] as const;

export const recordProofSchema = {
  $id: "RecordProof",
  type: "object",
  description: "a proof file (workledger check-proof reads it) plus the epoch's status as the index sees it",
  properties: {
    kind: { type: "string", enum: ["workledger-record-proof"] },
    ...proofWhere,
    root: hex32,
    record: {
      type: "object",
      properties: {
        nodeId: hex32,
        epoch: { type: "integer" },
        workUnits: uintString,
        uptimeBps: { type: "integer" },
        revenue: uintString,
        evidence: hex32,
      },
      required: ["nodeId", "epoch", "workUnits", "uptimeBps", "revenue", "evidence"],
    },
    proof: { type: "array", items: hex32 },
    status: STATUS,
    finalizesAt: nullableInt,
  },
  required: ["kind", ...WHERE_KEYS, "root", "record", "proof", "status", "finalizesAt"],
} as const;

export const usageProofSchema = {
  $id: "UsageProof",
  type: "object",
  description: "a usage proof file (workledger check-proof reads it) plus the epoch's status as the index sees it",
  properties: {
    kind: { type: "string", enum: ["workledger-usage-proof"] },
    ...proofWhere,
    usageRoot: hex32,
    leaf: {
      type: "object",
      properties: {
        customer: address,
        epoch: { type: "integer" },
        workUnits: uintString,
        amount: uintString,
        ref: hex32,
      },
      required: ["customer", "epoch", "workUnits", "amount", "ref"],
    },
    leafHash: hex32,
    proof: { type: "array", items: hex32 },
    status: STATUS,
    finalizesAt: nullableInt,
  },
  required: ["kind", ...WHERE_KEYS, "usageRoot", "leaf", "leafHash", "proof", "status", "finalizesAt"],
} as const;

/** Every shared schema, for app.addSchema (order: referenced ones first). */
export const SHARED_SCHEMAS = [epochSummarySchema, networkSchema, networkDetailSchema, challengeSchema, epochDetailSchema, nodeSchema, nodeDetailSchema, recordProofSchema, usageProofSchema];
