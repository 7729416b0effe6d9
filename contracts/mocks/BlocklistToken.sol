// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Test-only contract: NatSpec tags are not required here.
// solhint-disable use-natspec

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title BlocklistToken
/// @notice Test token with a USDC-style blocklist: no transfer from or to a blocked address.
contract BlocklistToken is ERC20 {
    /// @notice The address is blocked.
    error BlocklistTokenBlocked(address account);

    mapping(address account => bool blocked) public blocked;

    constructor() ERC20("Blocklist USD", "BUSD") {}

    /// @notice Mint `amount` to `to` (anyone).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Block or unblock an address (anyone; test only).
    function setBlocked(address account, bool isBlocked) external {
        blocked[account] = isBlocked;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (blocked[from]) revert BlocklistTokenBlocked(from);
        if (blocked[to]) revert BlocklistTokenBlocked(to);
        super._update(from, to, value);
    }
}
