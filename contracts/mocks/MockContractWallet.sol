// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Test-only contract: NatSpec tags are not required here.
// solhint-disable use-natspec

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title MockContractWallet
/// @notice An ERC-1271 smart wallet whose owner's ECDSA signature is the wallet's signature (tests of
/// signed billing authorizations from contract wallets).
contract MockContractWallet is IERC1271 {
    address public immutable OWNER;

    constructor(address owner) {
        OWNER = owner;
    }

    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(hash, signature);
        return err == ECDSA.RecoverError.NoError && signer == OWNER ? IERC1271.isValidSignature.selector : bytes4(0xffffffff);
    }
}
