// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title TypeHashes
/// @notice EIP-712 type strings and hashes of WorkLedger and RevenueLedger. The TypeScript SDK exports the same
/// strings (src/records/eip712.ts) and a test pins that both hashes are equal.
library TypeHashes {
    /// @dev EIP-712 domain name of WorkLedger (<= 31 bytes, as OZ 5.7 requires).
    string internal constant DOMAIN_NAME = "WorkLedger";
    /// @dev EIP-712 domain version of WorkLedger. The domain also binds the chain id and this contract.
    string internal constant DOMAIN_VERSION = "1";

    /// @dev The struct verifiers sign for an epoch version: every summary field (work and usage) plus
    /// networkId, epoch and version.
    string internal constant EPOCH_COMMIT_TYPE = "EpochCommit(uint256 networkId,uint64 epoch,uint32 version,"
        "bytes32 root,uint64 recordCount,uint64 activeNodes,uint128 totalWorkUnits,uint128 totalRevenue,bytes32 dataHash,"
        "bytes32 usageRoot,uint64 usageCount,uint128 totalUsage)";

    /// @dev keccak256(EPOCH_COMMIT_TYPE)
    bytes32 internal constant EPOCH_COMMIT_TYPEHASH = keccak256(bytes(EPOCH_COMMIT_TYPE));

    /// @dev The struct k of the current verifiers sign to install the next set: the network, the new
    /// set's id (current + 1, so a signature is good for one rotation only), its members and threshold.
    string internal constant VERIFIER_ROTATION_TYPE =
        "VerifierRotation(uint256 networkId,uint32 verifierSetId,address[] verifiers,uint8 threshold)";

    /// @dev keccak256(VERIFIER_ROTATION_TYPE)
    bytes32 internal constant VERIFIER_ROTATION_TYPEHASH = keccak256(bytes(VERIFIER_ROTATION_TYPE));

    /// @dev EIP-712 domain name of RevenueLedger (statements, payout roots, billing authorizations).
    string internal constant REVENUE_DOMAIN_NAME = "RevenueLedger";
    /// @dev EIP-712 domain version of RevenueLedger.
    string internal constant REVENUE_DOMAIN_VERSION = "1";

    /// @dev The billing statement k of the current verifiers sign (DESIGN rule 9, fixed).
    string internal constant BILLING_STATEMENT_TYPE = "BillingStatement(uint256 networkId,address customer,"
        "uint64 fromEpoch,uint64 toEpoch,uint256 amount,bytes32 usageHash)";

    /// @dev keccak256(BILLING_STATEMENT_TYPE)
    bytes32 internal constant BILLING_STATEMENT_TYPEHASH = keccak256(bytes(BILLING_STATEMENT_TYPE));

    /// @dev The cumulative payout root k of the current verifiers sign. throughEpoch rises with every root,
    /// so a signature is good for one root only.
    string internal constant PAYOUT_ROOT_TYPE =
        "PayoutRoot(uint256 networkId,bytes32 root,uint64 throughEpoch,uint256 total,bytes32 dataHash)";

    /// @dev keccak256(PAYOUT_ROOT_TYPE)
    bytes32 internal constant PAYOUT_ROOT_TYPEHASH = keccak256(bytes(PAYOUT_ROOT_TYPE));

    /// @dev A customer's signed billing authorization (capPerEpoch 0 revokes); nonce is the customer's
    /// sequential nonce, so a signature is good once.
    string internal constant BILLING_AUTHORIZATION_TYPE = "BillingAuthorization(uint256 networkId,address customer,"
        "uint128 capPerEpoch,uint64 expiry,uint256 nonce,uint256 deadline)";

    /// @dev keccak256(BILLING_AUTHORIZATION_TYPE)
    bytes32 internal constant BILLING_AUTHORIZATION_TYPEHASH = keccak256(bytes(BILLING_AUTHORIZATION_TYPE));
}
