// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Test-only contract: NatSpec tags are not required here.
// solhint-disable use-natspec

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title FeeOnTransferToken
/// @notice Test token that burns `feeBps` of every transfer between two non-zero addresses: the
/// sender loses the full amount, the recipient receives the amount less the fee.
contract FeeOnTransferToken is ERC20 {
    /// @dev Basis-point denominator: 10,000 bps = 100%.
    uint256 private constant BPS = 10_000;
    /// @notice Fee burnt on each transfer, in basis points.
    uint256 public feeBps;

    constructor(uint256 feeBps_) ERC20("Fee On Transfer", "FOT") {
        feeBps = feeBps_;
    }

    /// @notice Mint `amount` to `to` (anyone).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Change the fee rate (anyone; test only).
    function setFeeBps(uint256 feeBps_) external {
        feeBps = feeBps_;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from == address(0) || to == address(0)) return super._update(from, to, value);
        uint256 fee = (value * feeBps) / BPS;
        super._update(from, address(0), fee);
        super._update(from, to, value - fee);
    }
}
