// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IWorkLedger} from "../interfaces/IWorkLedger.sol";

/// @title WorkRecordLib
/// @notice Leaf hashing of work and usage records, identical to @openzeppelin/merkle-tree's
/// StandardMerkleTree with leaf encodings ["bytes32","uint64","uint64","uint16","uint128","bytes32"]
/// (work) and ["address","uint64","uint64","uint128","bytes32"] (usage): the double keccak means a
/// 64-byte inner node can never be presented as a leaf.
library WorkRecordLib {
    /// @notice keccak256(bytes.concat(keccak256(abi.encode(nodeId, epoch, workUnits, uptimeBps, revenue, evidence)))).
    /// @param r The work record.
    /// @return The leaf hash.
    function leafHash(IWorkLedger.WorkRecord calldata r) internal pure returns (bytes32) {
        return keccak256(
            bytes.concat(keccak256(abi.encode(r.nodeId, r.epoch, r.workUnits, r.uptimeBps, r.revenue, r.evidence)))
        );
    }

    /// @notice keccak256(bytes.concat(keccak256(abi.encode(customer, epoch, workUnits, amount, ref)))).
    /// @param u The usage record.
    /// @return The leaf hash.
    function usageLeafHash(IWorkLedger.UsageRecord calldata u) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(u.customer, u.epoch, u.workUnits, u.amount, u.ref))));
    }
}
