// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Test-only contract: NatSpec tags are not required here.
// solhint-disable use-natspec

/// @title NoReturnToken
/// @notice USDT-style test token: transfer, transferFrom and approve return nothing (not a bool) and
/// revert on failure. Only SafeERC20-style callers can use it.
contract NoReturnToken {
    /// @notice ERC-20 Transfer event.
    event Transfer(address indexed from, address indexed to, uint256 value);
    /// @notice ERC-20 Approval event.
    event Approval(address indexed owner, address indexed spender, uint256 value);

    /// @notice Balance below the amount moved.
    error NoReturnTokenInsufficientBalance(address account, uint256 balance, uint256 amount);
    /// @notice Allowance below the amount moved.
    error NoReturnTokenInsufficientAllowance(address spender, uint256 allowance, uint256 amount);

    /// @notice ERC-20 name.
    function name() external pure returns (string memory) {
        return "No Return USD";
    }

    /// @notice ERC-20 symbol.
    function symbol() external pure returns (string memory) {
        return "NRT";
    }

    /// @notice ERC-20 decimals.
    function decimals() external pure returns (uint8) {
        return 6;
    }

    uint256 public totalSupply;
    mapping(address account => uint256 balance) public balanceOf;
    mapping(address owner => mapping(address spender => uint256 amount)) public allowance;

    /// @notice Mint `amount` to `to` (anyone).
    function mint(address to, uint256 amount) external {
        totalSupply += amount;
        balanceOf[to] += amount;
        emit Transfer(address(0), to, amount);
    }

    /// @notice Approve without returning a value.
    function approve(address spender, uint256 amount) external {
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
    }

    /// @notice Transfer without returning a value.
    function transfer(address to, uint256 amount) external {
        _move(msg.sender, to, amount);
    }

    /// @notice TransferFrom without returning a value.
    function transferFrom(address from, address to, uint256 amount) external {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed < amount) revert NoReturnTokenInsufficientAllowance(msg.sender, allowed, amount);
        allowance[from][msg.sender] = allowed - amount;
        _move(from, to, amount);
    }

    function _move(address from, address to, uint256 amount) private {
        uint256 balance = balanceOf[from];
        if (balance < amount) revert NoReturnTokenInsufficientBalance(from, balance, amount);
        balanceOf[from] = balance - amount;
        balanceOf[to] += amount;
        emit Transfer(from, to, amount);
    }
}
