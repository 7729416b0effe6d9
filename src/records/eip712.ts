/**
 * EIP-712 typed data of WorkLedger: epoch commits and verifier-set rotations. The type strings are the
 * contract's exactly (contracts/libraries/TypeHashes.sol); test/contracts pins that the hashes are equal.
 */
import { TypedDataDomain, TypedDataField, keccak256, toUtf8Bytes } from "ethers";

export const EIP712_DOMAIN_NAME = "WorkLedger";
export const EIP712_DOMAIN_VERSION = "1";

/** The struct verifiers sign for an epoch version (work summary + usage words). */
export const EPOCH_COMMIT_TYPE =
  "EpochCommit(uint256 networkId,uint64 epoch,uint32 version,bytes32 root,uint64 recordCount,uint64 activeNodes,uint128 totalWorkUnits,uint128 totalRevenue,bytes32 dataHash,bytes32 usageRoot,uint64 usageCount,uint128 totalUsage)";

export const EPOCH_COMMIT_TYPEHASH = keccak256(toUtf8Bytes(EPOCH_COMMIT_TYPE));

/** ethers' `types` argument for signTypedData / verifyTypedData of an EpochCommit. */
export const EPOCH_COMMIT_TYPES: Record<string, TypedDataField[]> = {
  EpochCommit: [
    { name: "networkId", type: "uint256" },
    { name: "epoch", type: "uint64" },
    { name: "version", type: "uint32" },
    { name: "root", type: "bytes32" },
    { name: "recordCount", type: "uint64" },
    { name: "activeNodes", type: "uint64" },
    { name: "totalWorkUnits", type: "uint128" },
    { name: "totalRevenue", type: "uint128" },
    { name: "dataHash", type: "bytes32" },
    { name: "usageRoot", type: "bytes32" },
    { name: "usageCount", type: "uint64" },
    { name: "totalUsage", type: "uint128" },
  ],
};

/**
 * The struct k of the current verifiers sign to install the next verifier set: verifierSetId is the new
 * set's id (current + 1), so one signature serves one rotation only.
 */
export const VERIFIER_ROTATION_TYPE = "VerifierRotation(uint256 networkId,uint32 verifierSetId,address[] verifiers,uint8 threshold)";

export const VERIFIER_ROTATION_TYPEHASH = keccak256(toUtf8Bytes(VERIFIER_ROTATION_TYPE));

/** ethers' `types` argument for signTypedData / verifyTypedData of a VerifierRotation. */
export const VERIFIER_ROTATION_TYPES: Record<string, TypedDataField[]> = {
  VerifierRotation: [
    { name: "networkId", type: "uint256" },
    { name: "verifierSetId", type: "uint32" },
    { name: "verifiers", type: "address[]" },
    { name: "threshold", type: "uint8" },
  ],
};

/** The domain of a WorkLedger deployment: binds the chain and the contract. */
export function workLedgerDomain(chainId: bigint | number, verifyingContract: string): TypedDataDomain {
  return { name: EIP712_DOMAIN_NAME, version: EIP712_DOMAIN_VERSION, chainId, verifyingContract };
}
