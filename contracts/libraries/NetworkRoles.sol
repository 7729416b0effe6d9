// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title NetworkRoles
/// @notice Kinds of per-network roles. The AccessControl role id of kind K on network N is
/// keccak256(abi.encode(N, K)) (see {IWorkLedger-networkRole}); a network's ADMIN is the admin of
/// ADMIN, REGISTRAR and BILLER. The arbiter is not an AccessControl role: it is stored per network,
/// set at creation and changed only by itself, so no admin can grant it.
library NetworkRoles {
    /// @dev keccak256("ADMIN"): grants REGISTRAR and BILLER, pauses, sets the window, proposes recoveries.
    bytes32 internal constant ADMIN = keccak256("ADMIN");
    /// @dev keccak256("ARBITER"): the kind {IWorkLedger-hasNetworkRole} answers with the stored arbiter.
    bytes32 internal constant ARBITER = keccak256("ARBITER");
    /// @dev keccak256("REGISTRAR"): registers and deactivates nodes.
    bytes32 internal constant REGISTRAR = keccak256("REGISTRAR");
    /// @dev keccak256("BILLER"): charges customers, refunds, posts payout roots (RevenueLedger).
    bytes32 internal constant BILLER = keccak256("BILLER");

    /// @notice The AccessControl role id of `kind` on `networkId`.
    /// @param networkId The network.
    /// @param kind The role kind.
    /// @return The role id.
    function roleId(uint256 networkId, bytes32 kind) internal pure returns (bytes32) {
        return keccak256(abi.encode(networkId, kind));
    }
}
