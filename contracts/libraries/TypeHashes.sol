// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title TypeHashes
/// @notice EIP-712 type strings and hashes of WorkLedger. The TypeScript SDK exports the same
/// strings (src/records/eip712.ts) and a test pins that both hashes are equal.
library TypeHashes {
    /// @dev EIP-712 domain name and version of WorkLedger (<= 31 bytes each, as OZ 5.7 requires).
    string internal constant DOMAIN_NAME = "WorkLedger";
    string internal constant DOMAIN_VERSION = "1";

    /// @dev The struct verifiers sign: every summary field plus networkId, epoch and version.
    string internal constant EPOCH_COMMIT_TYPE = "EpochCommit(uint256 networkId,uint64 epoch,uint32 version,"
        "bytes32 root,uint64 recordCount,uint64 activeNodes,uint128 totalWorkUnits,uint128 totalRevenue,bytes32 dataHash)";

    /// @dev keccak256(EPOCH_COMMIT_TYPE)
    bytes32 internal constant EPOCH_COMMIT_TYPEHASH = keccak256(bytes(EPOCH_COMMIT_TYPE));
}
