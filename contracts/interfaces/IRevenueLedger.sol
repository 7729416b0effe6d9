// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IRevenueLedger
/// @notice The money around verified work, as double-entry books: customer escrow in an ERC-20
/// stablecoin, two-phase charges tied to epoch finality in the WorkLedger, SLA refunds, node payouts
/// claimed with Merkle proofs, and a protocol fee. Every movement is one posted entry
/// (debit account, credit account, amount, epoch, reference) with an {EntryPosted} event.
/// Challenge bonds of the WorkLedger sit here too, as bond:<networkId>:<challenger> accounts.
/// @dev Invariant at every block, per token: token.balanceOf(this) == assets(token) == the sum of the
/// balances of every liability account (escrow, held, revenue, payable, fee, bond) of the networks using it.
interface IRevenueLedger {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice Kinds of accounts. An account id packs kind (8 bits), networkId (88 bits) and holder
    /// (160 bits): bytes32(kind << 248 | networkId << 160 | holder). See {accountId}.
    enum AccountKind {
        None,
        Escrow, // a customer's free escrow on a network (holder = customer)
        Held, // a customer's held (pending) charges on a network (holder = customer)
        Revenue, // the network's earned revenue (holder = 0)
        Payable, // owed to node operators under posted payout roots (holder = 0)
        Fee, // protocol fee earned on the network (holder = 0)
        Assets, // tokens the contract holds (networkId = 0, holder = token): the debit-normal side
        Bond // challenge bonds a challenger has posted on a network and not yet got back (holder = challenger)
    }

    /// @notice Lifecycle of a charge.
    enum ChargeStatus {
        None,
        Held,
        Posted,
        Voided
    }

    /// @notice A charge (customer, epoch, reference) and what happened to it.
    struct Charge {
        address customer; // The customer charged
        uint64 epoch; // The epoch charged for
        ChargeStatus status; // Held, Posted or Voided
        uint16 feeBps; // Protocol fee rate snapshotted at charge time
        uint128 amount; // Amount charged
        uint128 refunded; // Total refunded against this charge (SLA credits)
        uint256 networkId; // The network that charged
        bytes32 ref; // The usage reference given by the biller
    }

    /// @notice A payout root for a final epoch.
    struct Payout {
        bytes32 root; // StandardMerkleTree root over (uint256 index, bytes32 nodeId, address operator, uint256 amount)
        uint128 total; // Declared total of all leaves
        uint128 claimed; // Claimed so far
    }

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice One posted double-entry movement, with the resulting balance of each side.
    /// @param networkId The network the movement belongs to.
    /// @param debitAccount The account debited.
    /// @param creditAccount The account credited.
    /// @param amount The amount moved.
    /// @param epoch The epoch it belongs to, or type(uint64).max (NO_EPOCH) for none.
    /// @param ref A reference: charge id, payout root, node id, or zero.
    /// @param debitBalance The debit account's balance after the entry.
    /// @param creditBalance The credit account's balance after the entry.
    event EntryPosted(
        uint256 indexed networkId,
        bytes32 indexed debitAccount,
        bytes32 indexed creditAccount,
        uint256 amount,
        uint64 epoch,
        bytes32 ref,
        uint256 debitBalance,
        uint256 creditBalance
    );

    /// @notice A customer deposited.
    /// @param networkId The network.
    /// @param customer The customer credited.
    /// @param from The payer.
    /// @param amount What arrived (credited).
    /// @param requested What was sent.
    event Deposited(
        uint256 indexed networkId, address indexed customer, address indexed from, uint256 amount, uint256 requested
    );

    /// @notice A customer withdrew free escrow.
    /// @param networkId The network.
    /// @param customer The customer.
    /// @param to The recipient.
    /// @param amount The amount.
    event Withdrawn(uint256 indexed networkId, address indexed customer, address indexed to, uint256 amount);

    /// @notice A charge moved `amount` from the customer's escrow to held.
    /// @param chargeId The charge.
    /// @param networkId The network.
    /// @param customer The customer.
    /// @param epoch The epoch charged for.
    /// @param amount The amount.
    /// @param ref The biller's usage reference.
    /// @param feeBps The protocol fee rate snapshotted.
    event Charged(
        bytes32 indexed chargeId,
        uint256 indexed networkId,
        address indexed customer,
        uint64 epoch,
        uint256 amount,
        bytes32 ref,
        uint16 feeBps
    );

    /// @notice A held charge was posted to revenue (less `fee` to the protocol) after the epoch became Final.
    /// @param chargeId The charge.
    /// @param networkId The network.
    /// @param customer The customer.
    /// @param epoch The epoch.
    /// @param amount The net amount to revenue.
    /// @param fee The protocol fee.
    event ChargePosted(
        bytes32 indexed chargeId, uint256 indexed networkId, address indexed customer, uint64 epoch, uint256 amount, uint256 fee
    );

    /// @notice A held charge went back to escrow because its epoch was Voided.
    /// @param chargeId The charge.
    /// @param networkId The network.
    /// @param customer The customer.
    /// @param epoch The epoch.
    /// @param amount The amount returned.
    event ChargeVoided(
        bytes32 indexed chargeId, uint256 indexed networkId, address indexed customer, uint64 epoch, uint256 amount
    );

    /// @notice Part of a posted charge was credited back to the customer's escrow (an SLA credit).
    /// @param chargeId The charge.
    /// @param networkId The network.
    /// @param customer The customer.
    /// @param epoch The epoch.
    /// @param amount The amount refunded.
    /// @param reasonHash Hash of the reason.
    event Refunded(
        bytes32 indexed chargeId,
        uint256 indexed networkId,
        address indexed customer,
        uint64 epoch,
        uint256 amount,
        bytes32 reasonHash
    );

    /// @notice A payout root for a Final epoch moved `total` from revenue to node payable.
    /// @param networkId The network.
    /// @param epoch The epoch.
    /// @param root The payout root.
    /// @param total Its declared total.
    /// @param leafCount Its number of leaves.
    event PayoutRootPosted(uint256 indexed networkId, uint64 indexed epoch, bytes32 root, uint256 total, uint256 leafCount);

    /// @notice An operator claimed its payout leaf `index`, paid to `to`.
    /// @param networkId The network.
    /// @param epoch The epoch.
    /// @param index The leaf index.
    /// @param nodeId The node.
    /// @param operator The operator that claimed.
    /// @param to The recipient.
    /// @param amount The amount.
    event PayoutClaimed(
        uint256 indexed networkId,
        uint64 indexed epoch,
        uint256 index,
        bytes32 indexed nodeId,
        address operator,
        address to,
        uint256 amount
    );

    /// @notice Protocol fees of a network were withdrawn.
    /// @param networkId The network.
    /// @param to The recipient.
    /// @param amount The amount.
    event FeesWithdrawn(uint256 indexed networkId, address indexed to, uint256 amount);

    /// @notice The protocol fee rate for future charges changed.
    /// @param feeBps The new rate in basis points.
    event ProtocolFeeSet(uint16 feeBps);

    /// @notice A customer set its runway alert threshold.
    /// @param networkId The network.
    /// @param customer The customer.
    /// @param threshold The free balance below which a charge emits {RunwayLow}.
    event RunwayThresholdSet(uint256 indexed networkId, address indexed customer, uint256 threshold);

    /// @notice A charge left the customer's free escrow below its threshold.
    /// @param networkId The network.
    /// @param customer The customer.
    /// @param freeBalance The free escrow after the charge.
    /// @param threshold The customer's threshold.
    event RunwayLow(uint256 indexed networkId, address indexed customer, uint256 freeBalance, uint256 threshold);

    /// @notice A challenge bond was pulled from the challenger's wallet into bond:<networkId>:<challenger>.
    /// @param networkId The network.
    /// @param epoch The challenged epoch.
    /// @param challenger The challenger.
    /// @param amount The bond.
    event BondLocked(uint256 indexed networkId, uint64 indexed epoch, address indexed challenger, uint256 amount);

    /// @notice A bond went back to its challenger (challenge upheld or expired). `paid` is false when the
    /// token refused the transfer: the amount then stays in the bond account for {withdrawBond}.
    /// @param networkId The network.
    /// @param epoch The challenged epoch.
    /// @param challenger The challenger.
    /// @param amount The bond.
    /// @param paid Whether it was transferred now.
    event BondReturned(
        uint256 indexed networkId, uint64 indexed epoch, address indexed challenger, uint256 amount, bool paid
    );

    /// @notice A bond went to the network's revenue, booked on the challenged epoch (challenge rejected).
    /// @param networkId The network.
    /// @param epoch The challenged epoch.
    /// @param challenger The challenger.
    /// @param amount The bond.
    event BondForfeited(uint256 indexed networkId, uint64 indexed epoch, address indexed challenger, uint256 amount);

    /// @notice A challenger withdrew returned bonds whose transfer had failed.
    /// @param networkId The network.
    /// @param challenger The challenger.
    /// @param to The recipient.
    /// @param amount The amount.
    event BondWithdrawn(uint256 indexed networkId, address indexed challenger, address indexed to, uint256 amount);

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice No network with this id in the WorkLedger.
    /// @param networkId The id given.
    error RevenueLedgerUnknownNetwork(uint256 networkId);
    /// @notice The network is paused: charges stop (DESIGN rule 10); everything else works.
    /// @param networkId The network.
    error RevenueLedgerNetworkPaused(uint256 networkId);
    /// @notice The caller lacks the role.
    /// @param networkId The network (0 for protocol roles).
    /// @param account The caller.
    /// @param role The role id.
    error RevenueLedgerUnauthorized(uint256 networkId, address account, bytes32 role);
    /// @notice Only the WorkLedger may move bonds.
    /// @param account The caller.
    error RevenueLedgerOnlyWorkLedger(address account);
    /// @notice An amount of zero (or nothing arrived).
    error RevenueLedgerZeroAmount();
    /// @notice An amount that does not fit the books (> type(uint128).max).
    /// @param amount The amount.
    error RevenueLedgerAmountTooLarge(uint256 amount);
    /// @notice A zero address where one is required.
    /// @param field The parameter's name.
    error RevenueLedgerZeroAddress(string field);
    /// @notice The customer's free escrow does not cover the amount.
    /// @param networkId The network.
    /// @param customer The customer.
    /// @param free Its free escrow.
    /// @param amount The amount asked.
    error RevenueLedgerInsufficientFree(uint256 networkId, address customer, uint256 free, uint256 amount);
    /// @notice The epoch was never committed, or its latest version is Voided (charges).
    /// @param networkId The network.
    /// @param epoch The epoch.
    /// @param status Its IWorkLedger.EpochStatus.
    error RevenueLedgerEpochNotChargeable(uint256 networkId, uint64 epoch, uint8 status);
    /// @notice The epoch is not Final (posting, payouts).
    /// @param networkId The network.
    /// @param epoch The epoch.
    /// @param status Its IWorkLedger.EpochStatus.
    error RevenueLedgerEpochNotFinal(uint256 networkId, uint64 epoch, uint8 status);
    /// @notice The epoch is not Voided (voiding a charge).
    /// @param networkId The network.
    /// @param epoch The epoch.
    /// @param status Its IWorkLedger.EpochStatus.
    error RevenueLedgerEpochNotVoided(uint256 networkId, uint64 epoch, uint8 status);
    /// @notice The same (network, customer, epoch, reference) was charged already.
    /// @param chargeId The charge.
    error RevenueLedgerChargeExists(bytes32 chargeId);
    /// @notice No such charge.
    /// @param chargeId The id given.
    error RevenueLedgerUnknownCharge(bytes32 chargeId);
    /// @notice The charge is not in the status the operation needs.
    /// @param chargeId The charge.
    /// @param status Its status.
    error RevenueLedgerInvalidChargeStatus(bytes32 chargeId, ChargeStatus status);
    /// @notice A refund above what is left of the posted charge (amount - fee - refunded).
    /// @param chargeId The charge.
    /// @param refundable What may still be refunded.
    /// @param amount The amount asked.
    error RevenueLedgerRefundExceedsCharge(bytes32 chargeId, uint256 refundable, uint256 amount);
    /// @notice The epoch's available revenue does not cover the amount (refund or payout total).
    /// @param networkId The network.
    /// @param epoch The epoch.
    /// @param available Its available revenue.
    /// @param amount The amount asked.
    error RevenueLedgerInsufficientRevenue(uint256 networkId, uint64 epoch, uint256 available, uint256 amount);
    /// @notice A payout root exists for this epoch already.
    /// @param networkId The network.
    /// @param epoch The epoch.
    error RevenueLedgerPayoutExists(uint256 networkId, uint64 epoch);
    /// @notice No payout root for this epoch.
    /// @param networkId The network.
    /// @param epoch The epoch.
    error RevenueLedgerUnknownPayout(uint256 networkId, uint64 epoch);
    /// @notice This leaf was claimed already.
    /// @param networkId The network.
    /// @param epoch The epoch.
    /// @param index The leaf index.
    error RevenueLedgerAlreadyClaimed(uint256 networkId, uint64 epoch, uint256 index);
    /// @notice The proof does not match the payout root (or the caller is not the leaf's operator).
    /// @param networkId The network.
    /// @param epoch The epoch.
    /// @param index The leaf index.
    error RevenueLedgerInvalidProof(uint256 networkId, uint64 epoch, uint256 index);
    /// @notice Claims would exceed the root's declared total.
    /// @param networkId The network.
    /// @param epoch The epoch.
    /// @param remaining What is left of the total.
    /// @param amount The amount asked.
    error RevenueLedgerPayoutExceedsTotal(uint256 networkId, uint64 epoch, uint256 remaining, uint256 amount);
    /// @notice Protocol fee above the maximum.
    /// @param feeBps The rate given.
    error RevenueLedgerInvalidFeeBps(uint256 feeBps);
    /// @notice A payout root of zero or with zero leaves.
    /// @param networkId The network.
    /// @param epoch The epoch.
    /// @param root The root given.
    /// @param leafCount The leaf count given.
    error RevenueLedgerInvalidPayoutRoot(uint256 networkId, uint64 epoch, bytes32 root, uint256 leafCount);
    /// @notice Less than the bond arrived (a fee-on-transfer token): bonds must arrive in full.
    /// @param expected The bond.
    /// @param received What arrived.
    error RevenueLedgerBondShortfall(uint256 expected, uint256 received);

    /*//////////////////////////////////////////////////////////////
                                 CUSTOMERS
    //////////////////////////////////////////////////////////////*/

    /// @notice Deposit `amount` of the network's token into the caller's escrow. Credits what actually
    /// arrived (fee-on-transfer tokens are credited net).
    /// @param networkId The network.
    /// @param amount The amount to send.
    /// @return credited The amount credited.
    function deposit(uint256 networkId, uint256 amount) external returns (uint256 credited);

    /// @notice Deposit with an EIP-2612 permit in one call.
    /// @param networkId The network.
    /// @param amount The amount to send.
    /// @param deadline The permit's deadline.
    /// @param v The permit signature's v.
    /// @param r The permit signature's r.
    /// @param s The permit signature's s.
    /// @return credited The amount credited.
    function depositWithPermit(uint256 networkId, uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        returns (uint256 credited);

    /// @notice Withdraw free (not held) escrow to `to`. Works while the network is paused.
    /// @param networkId The network.
    /// @param amount The amount.
    /// @param to The recipient.
    function withdraw(uint256 networkId, uint256 amount, address to) external;

    /// @notice Set the free-balance threshold below which a charge emits {RunwayLow}.
    /// @param networkId The network.
    /// @param threshold The threshold.
    function setRunwayThreshold(uint256 networkId, uint256 threshold) external;

    /*//////////////////////////////////////////////////////////////
                                 CHARGES
    //////////////////////////////////////////////////////////////*/

    /// @notice Charge a customer for a committed epoch (BILLER role; not while paused): escrow -> held.
    /// chargeId = keccak256(abi.encode(networkId, customer, epoch, ref)).
    /// @param networkId The network.
    /// @param customer The customer.
    /// @param epoch The epoch.
    /// @param amount The amount.
    /// @param ref The usage reference.
    /// @return chargeId The charge's id.
    function charge(uint256 networkId, address customer, uint64 epoch, uint256 amount, bytes32 ref)
        external
        returns (bytes32 chargeId);

    /// @notice Post a held charge once its epoch is Final (anyone): held -> revenue, fee -> protocol.
    /// @param chargeId The charge.
    function postCharge(bytes32 chargeId) external;

    /// @notice Return a held charge to escrow once its epoch is Voided (anyone): held -> escrow.
    /// @param chargeId The charge.
    function voidCharge(bytes32 chargeId) external;

    /// @notice Refund part of a posted charge (BILLER role): revenue -> escrow, naming the charge.
    /// @param chargeId The charge.
    /// @param amount The amount.
    /// @param reasonHash Hash of the reason.
    function refund(bytes32 chargeId, uint256 amount, bytes32 reasonHash) external;

    /*//////////////////////////////////////////////////////////////
                                 PAYOUTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Post the payout root of a Final epoch (BILLER role): revenue -> payable, `total` at most
    /// the epoch's available revenue. `leafCount` sizes the claimed-bitmap words opened in advance.
    /// @param networkId The network.
    /// @param epoch The epoch.
    /// @param root The payout root.
    /// @param total Its declared total.
    /// @param leafCount Its number of leaves.
    function postPayoutRoot(uint256 networkId, uint64 epoch, bytes32 root, uint256 total, uint256 leafCount) external;

    /// @notice Claim leaf (index, nodeId, msg.sender, amount) of an epoch's payout root, paid to `to`.
    /// Works while the network is paused.
    /// @param networkId The network.
    /// @param epoch The epoch.
    /// @param index The leaf index.
    /// @param nodeId The node.
    /// @param amount The leaf's amount.
    /// @param proof The Merkle proof.
    /// @param to The recipient.
    function claim(
        uint256 networkId,
        uint64 epoch,
        uint256 index,
        bytes32 nodeId,
        uint256 amount,
        bytes32[] calldata proof,
        address to
    ) external;

    /*//////////////////////////////////////////////////////////////
                                 BONDS
    //////////////////////////////////////////////////////////////*/

    /// @notice Pull a challenge bond from `challenger`'s wallet (the WorkLedger only; ignores pause):
    /// assets -> bond:<networkId>:<challenger>. The full amount must arrive.
    /// @param networkId The network.
    /// @param token The network's token.
    /// @param challenger The challenger (must have approved this contract).
    /// @param amount The bond.
    /// @param epoch The challenged epoch.
    function lockBond(uint256 networkId, address token, address challenger, uint256 amount, uint64 epoch) external;

    /// @notice Return a bond to its challenger (the WorkLedger only; ignores pause): bond -> assets and a
    /// transfer. If the token refuses the transfer, the amount stays in the bond account for {withdrawBond}.
    /// @param networkId The network.
    /// @param challenger The challenger.
    /// @param amount The bond.
    /// @param epoch The challenged epoch.
    function returnBond(uint256 networkId, address challenger, uint256 amount, uint64 epoch) external;

    /// @notice Forfeit a bond to the network's revenue, booked on the challenged epoch (the WorkLedger
    /// only; ignores pause): bond -> revenue.
    /// @param networkId The network.
    /// @param challenger The challenger.
    /// @param amount The bond.
    /// @param epoch The challenged epoch.
    function forfeitBond(uint256 networkId, address challenger, uint256 amount, uint64 epoch) external;

    /// @notice Withdraw returned bonds whose transfer had failed (the challenger; ignores pause).
    /// @param networkId The network.
    /// @param to The recipient.
    function withdrawBond(uint256 networkId, address to) external;

    /*//////////////////////////////////////////////////////////////
                                 PROTOCOL
    //////////////////////////////////////////////////////////////*/

    /// @notice Set the protocol fee rate for future charges (protocol admin).
    /// @param feeBps The rate in basis points (<= MAX_FEE_BPS).
    function setProtocolFee(uint16 feeBps) external;

    /// @notice Withdraw a network's accrued protocol fees (protocol admin).
    /// @param networkId The network.
    /// @param to The recipient.
    function withdrawFees(uint256 networkId, address to) external;

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @notice The WorkLedger this ledger reads epochs, tokens and roles from.
    /// @return The WorkLedger's address.
    function workLedger() external view returns (address);

    /// @notice The account id of (kind, networkId, holder).
    /// @param kind The kind.
    /// @param networkId The network.
    /// @param holder The holder (customer, challenger, token for Assets, zero for network accounts).
    /// @return The account id.
    function accountId(AccountKind kind, uint256 networkId, address holder) external pure returns (bytes32);

    /// @notice The balance of any account (its natural side: debit for Assets, credit for the others).
    /// @param account The account id.
    /// @return The balance.
    function balanceOf(bytes32 account) external view returns (uint256);

    /// @notice A customer's free escrow, held charges and last charge.
    /// @param networkId The network.
    /// @param account The customer.
    /// @return free Free escrow.
    /// @return held Held charges.
    /// @return lastChargeId The most recent charge.
    /// @return runwayThreshold The runway alert threshold.
    function customer(uint256 networkId, address account)
        external
        view
        returns (uint256 free, uint256 held, bytes32 lastChargeId, uint256 runwayThreshold);

    /// @notice A charge by id.
    /// @param chargeId The charge.
    /// @return The charge.
    function getCharge(bytes32 chargeId) external view returns (Charge memory);

    /// @notice Revenue of an epoch still available for refunds and payouts (posted net revenue and forfeited
    /// bonds, less refunds and payout roots).
    /// @param networkId The network.
    /// @param epoch The epoch.
    /// @return The available revenue.
    function epochRevenue(uint256 networkId, uint64 epoch) external view returns (uint256);

    /// @notice The payout of an epoch.
    /// @param networkId The network.
    /// @param epoch The epoch.
    /// @return The payout.
    function payout(uint256 networkId, uint64 epoch) external view returns (Payout memory);

    /// @notice Whether payout leaf `index` of an epoch was claimed.
    /// @param networkId The network.
    /// @param epoch The epoch.
    /// @param index The leaf index.
    /// @return True when claimed.
    function isClaimed(uint256 networkId, uint64 epoch, uint256 index) external view returns (bool);

    /// @notice Returned bonds of a challenger whose transfer failed, waiting for {withdrawBond}.
    /// @param networkId The network.
    /// @param challenger The challenger.
    /// @return The amount.
    function returnableBond(uint256 networkId, address challenger) external view returns (uint256);

    /// @notice The protocol fee rate applied to new charges.
    /// @return The rate in basis points.
    function protocolFeeBps() external view returns (uint16);

    /// @notice The protocol admin (sets the fee rate, withdraws protocol fees).
    /// @return The protocol admin.
    function protocolAdmin() external view returns (address);

    /// @notice The token a network's books are kept in, as cached on its first deposit or bond (zero before).
    /// @param networkId The network.
    /// @return The token.
    function networkToken(uint256 networkId) external view returns (address);
}
