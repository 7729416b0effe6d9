// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IRevenueLedger
/// @notice The money around verified work, as double-entry books: customer escrow in an ERC-20
/// stablecoin, two-phase charges tied to epoch finality in the WorkLedger, SLA refunds, node payouts
/// claimed with Merkle proofs, and a protocol fee. Every movement is one posted entry
/// (debit account, credit account, amount, epoch, reference) with an {EntryPosted} event.
/// @dev Invariant at every block, per token: token.balanceOf(this) == assets(token) == the sum of the
/// balances of every liability account (escrow, held, revenue, payable, fee) of the networks using it.
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
        Assets // tokens the contract holds (networkId = 0, holder = token): the debit-normal side
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
    /// `epoch` is type(uint64).max (NO_EPOCH) for movements that belong to no epoch.
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

    /// @notice A customer deposited. `amount` is what arrived (credited), `requested` what was sent.
    event Deposited(
        uint256 indexed networkId, address indexed customer, address indexed from, uint256 amount, uint256 requested
    );

    /// @notice A customer withdrew free escrow to `to`.
    event Withdrawn(uint256 indexed networkId, address indexed customer, address indexed to, uint256 amount);

    /// @notice A charge moved `amount` from the customer's escrow to held.
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
    event ChargePosted(
        bytes32 indexed chargeId, uint256 indexed networkId, address indexed customer, uint64 epoch, uint256 amount, uint256 fee
    );

    /// @notice A held charge went back to escrow because its epoch was Voided.
    event ChargeVoided(
        bytes32 indexed chargeId, uint256 indexed networkId, address indexed customer, uint64 epoch, uint256 amount
    );

    /// @notice Part of a posted charge was credited back to the customer's escrow (an SLA credit).
    event Refunded(
        bytes32 indexed chargeId,
        uint256 indexed networkId,
        address indexed customer,
        uint64 epoch,
        uint256 amount,
        bytes32 reasonHash
    );

    /// @notice A payout root for a Final epoch moved `total` from revenue to node payable.
    event PayoutRootPosted(uint256 indexed networkId, uint64 indexed epoch, bytes32 root, uint256 total, uint256 leafCount);

    /// @notice An operator claimed its payout leaf `index`, paid to `to`.
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
    event FeesWithdrawn(uint256 indexed networkId, address indexed to, uint256 amount);

    /// @notice The protocol fee rate for future charges changed.
    event ProtocolFeeSet(uint16 feeBps);

    /// @notice A customer set its runway alert threshold.
    event RunwayThresholdSet(uint256 indexed networkId, address indexed customer, uint256 threshold);

    /// @notice A charge left the customer's free escrow below its threshold.
    event RunwayLow(uint256 indexed networkId, address indexed customer, uint256 freeBalance, uint256 threshold);

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice No network with this id in the WorkLedger.
    error RevenueLedgerUnknownNetwork(uint256 networkId);
    /// @notice The network is paused: deposits, charges, postings, refunds and payout roots stop; withdrawals,
    /// voids, claims and fee withdrawals do not (a pause never traps funds).
    error RevenueLedgerNetworkPaused(uint256 networkId);
    /// @notice The caller lacks the role.
    error RevenueLedgerUnauthorized(uint256 networkId, address account, bytes32 role);
    /// @notice An amount of zero (or nothing arrived).
    error RevenueLedgerZeroAmount();
    /// @notice An amount that does not fit the books (> type(uint128).max).
    error RevenueLedgerAmountTooLarge(uint256 amount);
    /// @notice A zero address where one is required.
    error RevenueLedgerZeroAddress(string field);
    /// @notice The customer's free escrow does not cover the amount.
    error RevenueLedgerInsufficientFree(uint256 networkId, address customer, uint256 free, uint256 amount);
    /// @notice The epoch was never committed, or its latest version is Voided (charges).
    error RevenueLedgerEpochNotChargeable(uint256 networkId, uint64 epoch, uint8 status);
    /// @notice The epoch is not Final (posting, payouts).
    error RevenueLedgerEpochNotFinal(uint256 networkId, uint64 epoch, uint8 status);
    /// @notice The epoch is not Voided (voiding a charge).
    error RevenueLedgerEpochNotVoided(uint256 networkId, uint64 epoch, uint8 status);
    /// @notice The same (network, customer, epoch, reference) was charged already.
    error RevenueLedgerChargeExists(bytes32 chargeId);
    /// @notice No such charge.
    error RevenueLedgerUnknownCharge(bytes32 chargeId);
    /// @notice The charge is not in the status the operation needs.
    error RevenueLedgerInvalidChargeStatus(bytes32 chargeId, ChargeStatus status);
    /// @notice A refund above what is left of the posted charge (amount − fee − refunded).
    error RevenueLedgerRefundExceedsCharge(bytes32 chargeId, uint256 refundable, uint256 amount);
    /// @notice The epoch's available revenue does not cover the amount (refund or payout total).
    error RevenueLedgerInsufficientRevenue(uint256 networkId, uint64 epoch, uint256 available, uint256 amount);
    /// @notice A payout root exists for this epoch already.
    error RevenueLedgerPayoutExists(uint256 networkId, uint64 epoch);
    /// @notice No payout root for this epoch.
    error RevenueLedgerUnknownPayout(uint256 networkId, uint64 epoch);
    /// @notice This leaf was claimed already.
    error RevenueLedgerAlreadyClaimed(uint256 networkId, uint64 epoch, uint256 index);
    /// @notice The proof does not match the payout root (or the caller is not the leaf's operator).
    error RevenueLedgerInvalidProof(uint256 networkId, uint64 epoch, uint256 index);
    /// @notice Claims would exceed the root's declared total.
    error RevenueLedgerPayoutExceedsTotal(uint256 networkId, uint64 epoch, uint256 remaining, uint256 amount);
    /// @notice Protocol fee above the maximum.
    error RevenueLedgerInvalidFeeBps(uint256 feeBps);
    /// @notice A payout root of zero or with zero leaves.
    error RevenueLedgerInvalidPayoutRoot(uint256 networkId, uint64 epoch, bytes32 root, uint256 leafCount);

    /*//////////////////////////////////////////////////////////////
                                 CUSTOMERS
    //////////////////////////////////////////////////////////////*/

    /// @notice Deposit `amount` of the network's token into the caller's escrow. Credits what actually
    /// arrived (fee-on-transfer tokens are credited net). Returns the credited amount.
    function deposit(uint256 networkId, uint256 amount) external returns (uint256 credited);

    /// @notice Deposit with an EIP-2612 permit in one call.
    function depositWithPermit(uint256 networkId, uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        returns (uint256 credited);

    /// @notice Withdraw free (not held) escrow to `to`. Works while the network is paused.
    function withdraw(uint256 networkId, uint256 amount, address to) external;

    /// @notice Set the free-balance threshold below which a charge emits {RunwayLow}.
    function setRunwayThreshold(uint256 networkId, uint256 threshold) external;

    /*//////////////////////////////////////////////////////////////
                                 CHARGES
    //////////////////////////////////////////////////////////////*/

    /// @notice Charge a customer for a committed epoch (BILLER role): escrow -> held.
    /// chargeId = keccak256(abi.encode(networkId, customer, epoch, ref)).
    function charge(uint256 networkId, address customer, uint64 epoch, uint256 amount, bytes32 ref)
        external
        returns (bytes32 chargeId);

    /// @notice Post a held charge once its epoch is Final (anyone): held -> revenue, fee -> protocol.
    function postCharge(bytes32 chargeId) external;

    /// @notice Return a held charge to escrow once its epoch is Voided (anyone): held -> escrow.
    function voidCharge(bytes32 chargeId) external;

    /// @notice Refund part of a posted charge (BILLER role): revenue -> escrow, naming the charge.
    function refund(bytes32 chargeId, uint256 amount, bytes32 reasonHash) external;

    /*//////////////////////////////////////////////////////////////
                                 PAYOUTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Post the payout root of a Final epoch (BILLER role): revenue -> payable, `total` at most
    /// the epoch's available revenue. `leafCount` (the tree's number of leaves) sizes the claimed-bitmap
    /// words opened in advance, so that the first claims do not pay for opening them.
    function postPayoutRoot(uint256 networkId, uint64 epoch, bytes32 root, uint256 total, uint256 leafCount) external;

    /// @notice Claim leaf (index, nodeId, msg.sender, amount) of an epoch's payout root, paid to `to`.
    /// Works while the network is paused.
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
                                 PROTOCOL
    //////////////////////////////////////////////////////////////*/

    /// @notice Set the protocol fee rate for future charges (protocol admin).
    function setProtocolFee(uint16 feeBps) external;

    /// @notice Withdraw a network's accrued protocol fees (protocol admin).
    function withdrawFees(uint256 networkId, address to) external;

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @notice The WorkLedger this ledger reads epochs, tokens and roles from.
    function workLedger() external view returns (address);

    /// @notice The account id of (kind, networkId, holder).
    function accountId(AccountKind kind, uint256 networkId, address holder) external pure returns (bytes32);

    /// @notice The balance of any account (its natural side: debit for Assets, credit for the others).
    function balanceOf(bytes32 account) external view returns (uint256);

    /// @notice A customer's free escrow, held charges and last charge.
    function customer(uint256 networkId, address account)
        external
        view
        returns (uint256 free, uint256 held, bytes32 lastChargeId, uint256 runwayThreshold);

    /// @notice A charge by id.
    function getCharge(bytes32 chargeId) external view returns (Charge memory);

    /// @notice Revenue of an epoch still available for refunds and payouts.
    function epochRevenue(uint256 networkId, uint64 epoch) external view returns (uint256);

    /// @notice The payout of an epoch.
    function payout(uint256 networkId, uint64 epoch) external view returns (Payout memory);

    /// @notice Whether payout leaf `index` of an epoch was claimed.
    function isClaimed(uint256 networkId, uint64 epoch, uint256 index) external view returns (bool);

    /// @notice The protocol fee rate applied to new charges.
    function protocolFeeBps() external view returns (uint16);

    /// @notice The protocol admin (sets the fee rate, withdraws protocol fees).
    function protocolAdmin() external view returns (address);

    /// @notice The token a network's books are kept in, as cached on its first deposit (zero before).
    function networkToken(uint256 networkId) external view returns (address);
}
