// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Test-only contract: NatSpec tags are not required here.
// solhint-disable use-natspec

import {IWorkLedger} from "../interfaces/IWorkLedger.sol";
import {WorkRecordLib} from "../libraries/WorkRecordLib.sol";

/// @title WorkLedgerPolicyMock
/// @notice Test-only: an insurer's policy contract that pays out when a proven record shows uptime
/// below its SLA, calling {IWorkLedger-verifyRecord} on chain. Also exposes the library leaf hash.
contract WorkLedgerPolicyMock {
    /// @notice The ledger the policy trusts.
    IWorkLedger public immutable LEDGER;
    /// @notice Uptime below this (basis points) is a breach.
    uint16 public immutable SLA_BPS;

    constructor(IWorkLedger ledger_, uint16 slaBps_) {
        LEDGER = ledger_;
        SLA_BPS = slaBps_;
    }

    /// @notice True when `record` is proven in the network's epoch and its uptime breaches the SLA.
    function isBreach(uint256 networkId, IWorkLedger.WorkRecord calldata record, bytes32[] calldata proof)
        external
        view
        returns (bool)
    {
        return LEDGER.verifyRecord(networkId, record.epoch, record, proof) && record.uptimeBps < SLA_BPS;
    }

    /// @notice {WorkRecordLib-leafHash} of `record`.
    function leafHash(IWorkLedger.WorkRecord calldata record) external pure returns (bytes32) {
        return WorkRecordLib.leafHash(record);
    }
}
