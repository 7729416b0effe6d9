/**
 * EIP-712 typed data of WorkLedger epoch commits. The type string is the contract's exactly
 * (contracts/libraries/TypeHashes.sol); test/contracts pins that the hashes are equal.
 */
import { TypedDataDomain, TypedDataField, keccak256, toUtf8Bytes } from "ethers";

export const EIP712_DOMAIN_NAME = "WorkLedger";
export const EIP712_DOMAIN_VERSION = "1";

export const EPOCH_COMMIT_TYPE =
  "EpochCommit(uint256 networkId,uint64 epoch,uint32 version,bytes32 root,uint64 recordCount,uint64 activeNodes,uint128 totalWorkUnits,uint128 totalRevenue,bytes32 dataHash)";

export const EPOCH_COMMIT_TYPEHASH = keccak256(toUtf8Bytes(EPOCH_COMMIT_TYPE));

/** ethers' `types` argument for signTypedData / verifyTypedData. */
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
  ],
};

/** The domain of a WorkLedger deployment: binds the chain and the contract. */
export function workLedgerDomain(chainId: bigint | number, verifyingContract: string): TypedDataDomain {
  return { name: EIP712_DOMAIN_NAME, version: EIP712_DOMAIN_VERSION, chainId, verifyingContract };
}
