// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Test-only contract: NatSpec tags are not required here.
// solhint-disable use-natspec

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title MockStablecoin
/// @notice Test and demo stablecoin: ERC-20 with EIP-2612 permit, 6 decimals, and a public mint.
/// @dev Never deploy outside tests and demos: anyone can mint.
contract MockStablecoin is ERC20, ERC20Permit {
    constructor() ERC20("Mock USD", "mUSD") ERC20Permit("Mock USD") {}

    /// @notice Mint `amount` to `to` (anyone).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @inheritdoc ERC20
    function decimals() public pure override returns (uint8) {
        return 6;
    }
}
