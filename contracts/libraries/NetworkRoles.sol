// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title NetworkRoles
/// @notice Kinds of per-network roles. The AccessControl role id of kind K on network N is
/// keccak256(abi.encode(N, K)) (see {IWorkLedger-networkRole}); a network's ADMIN is the admin of
/// every role of that network, including ADMIN itself.
library NetworkRoles {
    /// @dev keccak256("ADMIN"): rotates verifiers, pauses, corrects epochs, grants the other roles.
    bytes32 internal constant ADMIN = keccak256("ADMIN");
    /// @dev keccak256("ARBITER"): resolves challenges.
    bytes32 internal constant ARBITER = keccak256("ARBITER");
    /// @dev keccak256("CHALLENGER"): may challenge Pending epochs.
    bytes32 internal constant CHALLENGER = keccak256("CHALLENGER");
    /// @dev keccak256("REGISTRAR"): registers and deactivates nodes.
    bytes32 internal constant REGISTRAR = keccak256("REGISTRAR");
    /// @dev keccak256("BILLER"): charges customers, refunds, posts payout roots (RevenueLedger).
    bytes32 internal constant BILLER = keccak256("BILLER");

    /// @notice The AccessControl role id of `kind` on `networkId`.
    function roleId(uint256 networkId, bytes32 kind) internal pure returns (bytes32) {
        return keccak256(abi.encode(networkId, kind));
    }
}
