// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Test-only contract: NatSpec tags are not required here.
// solhint-disable use-natspec

import {IWorkLedger} from "../interfaces/IWorkLedger.sol";

/// @title MockWorkLedgerForRevenue
/// @notice The few WorkLedger views RevenueLedger reads (network, networkCount, epochStatus,
/// hasNetworkRole), with setters, for RevenueLedger unit tests.
contract MockWorkLedgerForRevenue {
    /// @notice Unknown network (as the real WorkLedger reverts).
    error MockUnknownNetwork(uint256 networkId);

    mapping(uint256 networkId => IWorkLedger.Network network_) private _networks;
    mapping(uint256 networkId => mapping(uint64 epoch => IWorkLedger.EpochStatus status)) private _status;
    mapping(uint256 networkId => mapping(bytes32 kind => mapping(address account => bool has))) private _roles;
    uint256 public networkCount;

    /// @notice Add a network with `token`; returns its id (from 1).
    function addNetwork(address token) external returns (uint256 networkId) {
        networkId = ++networkCount;
        _networks[networkId].token = token;
    }

    function setPaused(uint256 networkId, bool paused) external {
        _networks[networkId].paused = paused;
    }

    function setEpochStatus(uint256 networkId, uint64 epoch, IWorkLedger.EpochStatus status) external {
        _status[networkId][epoch] = status;
    }

    function setRole(uint256 networkId, bytes32 kind, address account, bool has) external {
        _roles[networkId][kind][account] = has;
    }

    function network(uint256 networkId) external view returns (IWorkLedger.Network memory) {
        if (networkId == 0 || networkId > networkCount) revert MockUnknownNetwork(networkId);
        return _networks[networkId];
    }

    function epochStatus(uint256 networkId, uint64 epoch) external view returns (IWorkLedger.EpochStatus, uint32) {
        IWorkLedger.EpochStatus status = _status[networkId][epoch];
        return (status, status == IWorkLedger.EpochStatus.None ? 0 : 1);
    }

    function hasNetworkRole(uint256 networkId, bytes32 kind, address account) external view returns (bool) {
        return _roles[networkId][kind][account];
    }
}
