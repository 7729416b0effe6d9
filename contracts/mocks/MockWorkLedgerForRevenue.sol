// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Test-only contract: NatSpec tags are not required here.
// solhint-disable use-natspec

import {IWorkLedger} from "../interfaces/IWorkLedger.sol";

/// @title MockWorkLedgerForRevenue
/// @notice The WorkLedger views RevenueLedger reads (network, isVerifier, maxStatementEpochsOf,
/// thawSecondsOf, hasNetworkRole), with setters, for RevenueLedger unit tests.
contract MockWorkLedgerForRevenue {
    /// @notice Unknown network (as the real WorkLedger reverts).
    error MockUnknownNetwork(uint256 networkId);

    mapping(uint256 networkId => IWorkLedger.Network network_) private _networks;
    mapping(uint256 networkId => mapping(uint32 setId => mapping(address account => bool member))) private _members;
    mapping(uint256 networkId => mapping(bytes32 kind => mapping(address account => bool has))) private _roles;
    mapping(uint256 networkId => uint32 maxEpochs) public maxStatementEpochsOf;
    mapping(uint256 networkId => uint64 thaw) public thawSecondsOf;
    uint256 public networkCount;

    /// @notice Add a network with `token` (60-second epochs from genesis 0, set 1 = `verifiers` with
    /// threshold `threshold`, 720-epoch statements, 1-day thaw); returns its id (from 1).
    function addNetwork(address token, address[] calldata verifiers, uint8 threshold) external returns (uint256 networkId) {
        networkId = ++networkCount;
        IWorkLedger.Network storage n = _networks[networkId];
        n.token = token;
        n.epochSeconds = 60;
        maxStatementEpochsOf[networkId] = 720;
        thawSecondsOf[networkId] = 1 days;
        _setVerifiers(networkId, 1, verifiers, threshold);
    }

    function setNetworkCount(uint256 count) external {
        networkCount = count;
    }

    function setVerifiers(uint256 networkId, uint32 setId, address[] calldata verifiers, uint8 threshold) external {
        _setVerifiers(networkId, setId, verifiers, threshold);
    }

    function setPaused(uint256 networkId, bool paused) external {
        _networks[networkId].paused = paused;
    }

    function setFinalizedCount(uint256 networkId, uint64 count) external {
        _networks[networkId].finalizedCount = count;
    }

    function setTiming(uint256 networkId, uint64 genesisTime, uint64 epochSeconds) external {
        _networks[networkId].genesisTime = genesisTime;
        _networks[networkId].epochSeconds = epochSeconds;
    }

    function setMaxStatementEpochs(uint256 networkId, uint32 maxEpochs) external {
        maxStatementEpochsOf[networkId] = maxEpochs;
    }

    function setThawSeconds(uint256 networkId, uint64 thaw) external {
        thawSecondsOf[networkId] = thaw;
    }

    function setRole(uint256 networkId, bytes32 kind, address account, bool has) external {
        _roles[networkId][kind][account] = has;
    }

    function network(uint256 networkId) external view returns (IWorkLedger.Network memory) {
        if (networkId == 0 || networkId > networkCount) revert MockUnknownNetwork(networkId);
        return _networks[networkId];
    }

    function isVerifier(uint256 networkId, uint32 setId, address account) external view returns (bool) {
        return _members[networkId][setId][account];
    }

    function hasNetworkRole(uint256 networkId, bytes32 kind, address account) external view returns (bool) {
        return _roles[networkId][kind][account];
    }

    function _setVerifiers(uint256 networkId, uint32 setId, address[] calldata verifiers, uint8 threshold) private {
        for (uint256 i = 0; i < verifiers.length; ++i) {
            _members[networkId][setId][verifiers[i]] = true;
        }
        _networks[networkId].verifierSetId = setId;
        _networks[networkId].threshold = threshold;
        _networks[networkId].verifierCount = uint8(verifiers.length);
    }
}
