// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Test-only contract: NatSpec tags are not required here.
// solhint-disable use-natspec

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title TimelockArbiter
/// @notice Test-only: OpenZeppelin's TimelockController, unchanged, compiled so the tests can deploy it
/// as a network's arbiter.
contract TimelockArbiter is TimelockController {
    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors, address admin)
        TimelockController(minDelay, proposers, executors, admin)
    {}
}
