// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IWorkLedger} from "../interfaces/IWorkLedger.sol";

/// @title WorkRecordLib
/// @notice Leaf hashing of work records, identical to @openzeppelin/merkle-tree's StandardMerkleTree
/// with leaf encoding ["bytes32","uint64","uint64","uint16","uint128","bytes32"]: the double keccak
/// means a 64-byte inner node can never be presented as a leaf.
library WorkRecordLib {
    /// @notice keccak256(bytes.concat(keccak256(abi.encode(nodeId, epoch, workUnits, uptimeBps, revenue, evidence)))).
    function leafHash(IWorkLedger.WorkRecord calldata r) internal pure returns (bytes32) {
        return keccak256(
            bytes.concat(keccak256(abi.encode(r.nodeId, r.epoch, r.workUnits, r.uptimeBps, r.revenue, r.evidence)))
        );
    }
}
