// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IRevenueLedger} from "./interfaces/IRevenueLedger.sol";
import {IWorkLedger} from "./interfaces/IWorkLedger.sol";
import {NetworkRoles} from "./libraries/NetworkRoles.sol";
import {TypeHashes} from "./libraries/TypeHashes.sol";

/// @title RevenueLedger
/// @notice Double-entry books for the money around verified work: customer escrow, billing statements
/// signed by k of a network's verifiers over Final epochs and charged within the customer's own cap,
/// SLA refunds, withdrawals after a thaw, cumulative payout roots signed by k of the verifiers with
/// one claim per node for any number of epochs, and a protocol fee.
/// @dev Accounting rules:
/// - Every movement is one entry (debit, credit, amount, epoch, ref) emitted as {EntryPosted}. The Assets
///   account of a token is debit-normal (a debit adds to it); every other account is credit-normal. So
///   for every token, balanceOf(Assets(token)) == Σ balances of the Escrow, Revenue, Payable, Fee and
///   Bond accounts of the networks using it, and it equals token.balanceOf(this) unless tokens are sent
///   to the contract outside {deposit} (such donations are not booked).
/// - Fee-on-transfer tokens: a deposit credits the balance delta that actually arrived (never the
///   requested amount); outgoing transfers debit the books by the amount sent (the recipient bears the
///   token's fee). Rebasing tokens are NOT supported.
/// - Billing (DESIGN rules 1-3): a statement is accepted only with k signatures of the network's current
///   verifiers, toEpoch < finalizedCount (read once from the WorkLedger: no per-epoch status), fromEpoch =
///   the customer's next unbilled epoch, at most maxStatementEpochs epochs, inside one run of the
///   customer's cap and amount <= cap x epochs. Leaves are checked off chain; only usageHash and the
///   signatures are on chain.
/// - Caps over time: the caps of a customer's unbilled epochs are kept as contiguous runs
///   [start, end) -> cap. A change at time t binds epochs that start after t (the first one is
///   `changeEpoch`) with the new cap; each unbilled epoch that started before t keeps max(its cap, new cap),
///   so a raise binds every unbilled epoch and a lower cap, a revoke or an expiry only later epochs.
///   Epochs past the last run (after an expiry or a revoke) are not billable.
/// - Thaw (rule 6): a withdrawal request marks part of the escrow thawing; it stays in escrow, pays
///   statements whose epochs all started before the request (charges take the non-thawing part first) and
///   leaves with {withdraw} after thawSeconds.
/// - A pause of the network in the WorkLedger stops charges only (DESIGN rule 10); every other path,
///   bonds included, keeps working, so a pause never traps funds.
/// - Challenge bonds: only the WorkLedger moves them ({lockBond}, {returnBond}, {forfeitBond}); they sit in
///   bond:<networkId>:<challenger> accounts. A forfeited bond is network revenue.
/// - Checks-effects-interactions everywhere, plus a transient reentrancy guard on every external
///   mutating function that may reach a token.
contract RevenueLedger is IRevenueLedger, EIP712, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /*//////////////////////////////////////////////////////////////
                                CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @dev Basis-point denominator: 10,000 bps = 100%.
    uint256 private constant BPS_DENOMINATOR = 10_000;
    /// @notice The highest protocol fee rate: 1,000 bps = 10%.
    uint16 public constant MAX_FEE_BPS = 1_000;
    /// @dev Epoch of entries that belong to no epoch (deposits, withdrawals, fee withdrawals).
    uint64 private constant NO_EPOCH = type(uint64).max;
    /// @dev Bit positions of the account id fields: kind (8 bits) | networkId (88 bits) | holder (160 bits).
    uint256 private constant KIND_SHIFT = 248;
    uint256 private constant NETWORK_SHIFT = 160;
    /// @dev Largest networkId that fits the 88-bit field of an account id.
    uint256 private constant MAX_NETWORK_ID = (1 << 88) - 1;
    /// @dev Role id reported in {RevenueLedgerUnauthorized} for protocol-admin functions: keccak256("PROTOCOL_ADMIN").
    bytes32 private constant PROTOCOL_ADMIN_ROLE = keccak256("PROTOCOL_ADMIN");

    /*//////////////////////////////////////////////////////////////
                                 STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @dev A run of unbilled epochs [start, end) under one cap (cap > 0).
    struct CapRun {
        uint64 start;
        uint64 end;
        uint128 cap;
    }

    /// @dev Per-customer state besides its balances (which live in the books).
    struct CustomerState {
        // --- slot 1: read and written by every charge ---
        uint64 nextEpoch; // The only epoch the next statement may start at
        uint64 thawFromPlusOne; // 1 + the first epoch the thawing amount may not pay for; 0 = no thaw
        uint32 head; // Index of the run holding nextEpoch (or the last run)
        uint32 count; // Runs in use: indices [0, count)
        bool authorized; // Authorized at least once
        // --- slot 2: the latest authorization (views) ---
        uint128 cap;
        uint64 expiry;
        // --- slot 3: the withdrawal request ---
        uint128 thawAmount;
        uint64 thawReadyAt;
        // --- slot 4, 5 ---
        uint256 runwayThreshold; // Escrow below which a charge emits {RunwayLow}
        uint256 nonce; // Next BillingAuthorization nonce
        mapping(uint256 index => CapRun run) runs;
    }

    /// @dev A charged statement with an amount (one slot). Its network, customer and first epoch are in
    /// its charge id (see {chargeIdOf}).
    struct StoredStatement {
        uint128 refundable; // Net not yet refunded
        uint32 span; // toEpoch - fromEpoch
        bool exists;
    }

    /// @dev The latest payout root of a network; a claim reads the first two slots.
    struct PayoutState {
        bytes32 root;
        address token; // The network's token (saves a lookup per claim)
        uint64 throughEpoch;
        uint32 rootCount;
        uint256 total;
        bytes32 dataHash;
    }

    IWorkLedger private immutable WORK_LEDGER;
    address private immutable PROTOCOL_ADMIN;

    /// @dev Protocol fee rate applied to new statements.
    uint16 private _protocolFeeBps;
    /// @dev Balance of every account, by account id (see {accountId}).
    mapping(bytes32 account => uint256 balance) private _balances;
    /// @dev Token of each network, cached on its first use (a network's token never changes).
    mapping(uint256 networkId => address token) private _tokens;
    mapping(uint256 networkId => mapping(address customer => CustomerState state)) private _customers;
    mapping(bytes32 chargeId => StoredStatement statement) private _statements;
    mapping(uint256 networkId => PayoutState payout) private _payouts;
    /// @dev Cumulative amount each node has claimed, keyed by (networkId, nodeId) (DESIGN rule 7).
    mapping(uint256 networkId => mapping(bytes32 nodeId => uint256 amount)) private _claimed;
    /// @dev Returned bonds whose transfer failed (still in the bond account), per network and challenger.
    mapping(uint256 networkId => mapping(address challenger => uint256 amount)) private _returnable;

    /// @dev Reverts unless the caller is the WorkLedger (bond paths).
    modifier onlyWorkLedger() {
        if (msg.sender != address(WORK_LEDGER)) revert RevenueLedgerOnlyWorkLedger(msg.sender);
        _;
    }

    /// @notice Deploys the books over `workLedger_`; the WorkLedger's deployer then wires this contract
    /// with {IWorkLedger-setRevenueLedger} so that challenge bonds can be posted.
    /// @param workLedger_ The WorkLedger that owns networks, verifier sets, roles and the finality cursor.
    /// @param protocolAdmin_ Sets the protocol fee and withdraws protocol fees.
    constructor(address workLedger_, address protocolAdmin_)
        EIP712(TypeHashes.REVENUE_DOMAIN_NAME, TypeHashes.REVENUE_DOMAIN_VERSION)
    {
        if (workLedger_ == address(0)) revert RevenueLedgerZeroAddress("workLedger");
        if (protocolAdmin_ == address(0)) revert RevenueLedgerZeroAddress("protocolAdmin");
        WORK_LEDGER = IWorkLedger(workLedger_);
        PROTOCOL_ADMIN = protocolAdmin_;
    }

    /*//////////////////////////////////////////////////////////////
                                 CUSTOMERS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IRevenueLedger
    function deposit(uint256 networkId, uint256 amount) external nonReentrant returns (uint256 credited) {
        if (amount == 0) revert RevenueLedgerZeroAmount();
        return _deposit(networkId, amount, _token(networkId, _network(networkId)));
    }

    /// @inheritdoc IRevenueLedger
    /// @dev The permit is attempted and a failure ignored (it may have been front-run): the transfer then
    /// succeeds or fails on the allowance that actually exists.
    function depositWithPermit(uint256 networkId, uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        nonReentrant
        returns (uint256 credited)
    {
        address token = _token(networkId, _network(networkId));
        if (amount == 0) revert RevenueLedgerZeroAmount();
        try IERC20Permit(token).permit(msg.sender, address(this), amount, deadline, v, r, s) {} catch {}
        return _deposit(networkId, amount, token);
    }

    /// @inheritdoc IRevenueLedger
    function requestWithdrawal(uint256 networkId, uint256 amount) external {
        IWorkLedger.Network memory n = _network(networkId);
        CustomerState storage c = _customers[networkId][msg.sender];
        if (amount == 0) {
            c.thawFromPlusOne = 0;
            c.thawAmount = 0;
            c.thawReadyAt = 0;
            emit WithdrawalRequested(networkId, msg.sender, 0, 0, 0);
            return;
        }
        if (amount > type(uint128).max) revert RevenueLedgerAmountTooLarge(amount);
        uint256 escrow = _balances[_account(AccountKind.Escrow, networkId, msg.sender)];
        if (amount > escrow) revert RevenueLedgerInsufficientFree(networkId, msg.sender, escrow, amount);
        uint64 readyAt = uint64(block.timestamp) + WORK_LEDGER.thawSecondsOf(networkId);
        uint64 fromEpoch = _firstEpochAfter(n, block.timestamp);
        c.thawFromPlusOne = fromEpoch + 1;
        c.thawAmount = uint128(amount);
        c.thawReadyAt = readyAt;
        emit WithdrawalRequested(networkId, msg.sender, amount, readyAt, fromEpoch);
    }

    /// @inheritdoc IRevenueLedger
    function withdraw(uint256 networkId, address to) external nonReentrant returns (uint256 amount) {
        if (to == address(0)) revert RevenueLedgerZeroAddress("to");
        CustomerState storage c = _customers[networkId][msg.sender];
        if (c.thawFromPlusOne == 0) revert RevenueLedgerNoWithdrawalRequest(networkId, msg.sender);
        uint64 readyAt = c.thawReadyAt;
        if (block.timestamp < readyAt) revert RevenueLedgerStillThawing(networkId, msg.sender, readyAt);
        amount = c.thawAmount;
        c.thawFromPlusOne = 0;
        c.thawAmount = 0;
        c.thawReadyAt = 0;
        address token = _tokens[networkId];
        if (amount != 0) {
            _post(
                networkId,
                _account(AccountKind.Escrow, networkId, msg.sender),
                _account(AccountKind.Assets, 0, token),
                amount,
                NO_EPOCH,
                bytes32(0)
            );
        }
        emit Withdrawn(networkId, msg.sender, to, amount);
        if (amount != 0) IERC20(token).safeTransfer(to, amount);
    }

    /// @inheritdoc IRevenueLedger
    function setRunwayThreshold(uint256 networkId, uint256 threshold) external {
        _customers[networkId][msg.sender].runwayThreshold = threshold;
        emit RunwayThresholdSet(networkId, msg.sender, threshold);
    }

    /// @inheritdoc IRevenueLedger
    function authorizeBilling(uint256 networkId, uint128 capPerEpoch, uint64 expiry) external {
        if (capPerEpoch == 0) revert RevenueLedgerZeroAmount();
        _setBilling(networkId, msg.sender, capPerEpoch, expiry);
    }

    /// @inheritdoc IRevenueLedger
    function authorizeBillingBySig(
        uint256 networkId,
        address customer_,
        uint128 capPerEpoch,
        uint64 expiry,
        uint256 deadline,
        bytes calldata signature
    ) external {
        if (block.timestamp > deadline) revert RevenueLedgerAuthorizationExpired(deadline);
        CustomerState storage c = _customers[networkId][customer_];
        uint256 nonce = c.nonce;
        bytes32 digest = _authorizationDigest(networkId, customer_, capPerEpoch, expiry, nonce, deadline);
        if (customer_ == address(0) || !SignatureChecker.isValidSignatureNowCalldata(customer_, digest, signature)) {
            revert RevenueLedgerInvalidAuthorization(customer_);
        }
        c.nonce = nonce + 1;
        _setBilling(networkId, customer_, capPerEpoch, expiry);
    }

    /// @inheritdoc IRevenueLedger
    function revokeBilling(uint256 networkId) external {
        _setBilling(networkId, msg.sender, 0, 0);
    }

    /*//////////////////////////////////////////////////////////////
                                 BILLING
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IRevenueLedger
    function charge(BillingStatement calldata statement_, string calldata referenceText, bytes[] calldata signatures)
        external
        nonReentrant
        returns (bytes32 chargeId)
    {
        uint128 cap;
        uint256 fee;
        address[] memory signers;
        {
            uint256 networkId = statement_.networkId;
            IWorkLedger.Network memory n = _network(networkId);
            if (n.paused) revert RevenueLedgerNetworkPaused(networkId);
            _requireBiller(networkId);
            CustomerState storage c = _customers[networkId][statement_.customer];
            cap = _checkStatement(c, statement_, n.finalizedCount);
            signers = _checkSignatures(networkId, n, _statementDigest(statement_), signatures);
            chargeId = _chargeId(networkId, statement_.customer, statement_.fromEpoch);
            if (statement_.amount != 0) fee = _collect(c, statement_, chargeId);
        }
        _emitCharged(chargeId, statement_, fee, cap, signers, referenceText);
    }

    /// @inheritdoc IRevenueLedger
    function refund(bytes32 chargeId, uint64 epoch, uint256 amount, bytes32 reasonHash) external nonReentrant {
        StoredStatement storage st = _statements[chargeId];
        if (!st.exists) revert RevenueLedgerUnknownCharge(chargeId);
        (uint256 networkId, uint64 fromEpoch, address customer_) = _decodeChargeId(chargeId);
        _requireBiller(networkId);
        if (amount == 0) revert RevenueLedgerZeroAmount();
        {
            uint64 toEpoch = fromEpoch + st.span;
            if (epoch < fromEpoch || epoch > toEpoch) {
                revert RevenueLedgerRefundOutsideStatement(chargeId, epoch, fromEpoch, toEpoch);
            }
        }
        {
            PayoutState storage p = _payouts[networkId];
            if (p.rootCount != 0 && epoch <= p.throughEpoch) {
                revert RevenueLedgerEpochPaidOut(networkId, epoch, p.throughEpoch);
            }
        }
        {
            uint256 refundable = st.refundable;
            if (amount > refundable) revert RevenueLedgerRefundExceedsCharge(chargeId, refundable, amount);
            st.refundable = uint128(refundable - amount);
        }
        _refundEntry(networkId, customer_, amount, epoch, chargeId);
        emit Refunded(chargeId, networkId, customer_, epoch, amount, reasonHash);
    }

    /*//////////////////////////////////////////////////////////////
                                 PAYOUTS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IRevenueLedger
    function postPayoutRoot(PayoutRoot calldata payoutRoot_, bytes[] calldata signatures) external nonReentrant {
        uint256 networkId = payoutRoot_.networkId;
        IWorkLedger.Network memory n = _network(networkId);
        PayoutState storage p = _payouts[networkId];
        uint256 previous = _checkPayoutRoot(p, payoutRoot_, n.finalizedCount);
        address[] memory signers = _checkSignatures(networkId, n, _payoutRootDigest(payoutRoot_), signatures);
        uint256 increase = _storePayoutRoot(p, payoutRoot_, _token(networkId, n), previous);
        emit PayoutRootPosted(
            networkId,
            payoutRoot_.throughEpoch,
            payoutRoot_.root,
            payoutRoot_.total,
            increase,
            payoutRoot_.dataHash,
            signers
        );
    }

    /// @inheritdoc IRevenueLedger
    function claim(uint256 networkId, bytes32 nodeId, uint256 cumulativeAmount, bytes32[] calldata proof, address to)
        external
        nonReentrant
        returns (uint256 amount)
    {
        if (to == address(0)) revert RevenueLedgerZeroAddress("to");
        PayoutState storage p = _payouts[networkId];
        {
            bytes32 root = p.root;
            if (root == bytes32(0)) revert RevenueLedgerNoPayoutRoot(networkId);
            bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(nodeId, msg.sender, cumulativeAmount))));
            if (!MerkleProof.verifyCalldata(proof, root, leaf)) revert RevenueLedgerInvalidProof(networkId, nodeId);
        }
        uint256 already = _claimed[networkId][nodeId];
        if (cumulativeAmount <= already) {
            revert RevenueLedgerNothingToClaim(networkId, nodeId, cumulativeAmount, already);
        }
        amount = cumulativeAmount - already;
        _claimed[networkId][nodeId] = cumulativeAmount;
        address token = p.token;
        uint64 throughEpoch = p.throughEpoch;
        _payOut(networkId, nodeId, token, amount, throughEpoch);
        emit PayoutClaimed(networkId, nodeId, msg.sender, to, amount, cumulativeAmount, throughEpoch);
        IERC20(token).safeTransfer(to, amount);
    }

    /*//////////////////////////////////////////////////////////////
                                 BONDS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IRevenueLedger
    function lockBond(uint256 networkId, address token, address challenger, uint256 amount, uint64 epoch)
        external
        onlyWorkLedger
        nonReentrant
    {
        if (_tokens[networkId] == address(0)) _tokens[networkId] = token;
        IERC20 erc20 = IERC20(token);
        uint256 before = erc20.balanceOf(address(this));
        erc20.safeTransferFrom(challenger, address(this), amount);
        uint256 received = erc20.balanceOf(address(this)) - before;
        if (received != amount) revert RevenueLedgerBondShortfall(amount, received);
        _post(
            networkId,
            _account(AccountKind.Assets, 0, token),
            _account(AccountKind.Bond, networkId, challenger),
            amount,
            epoch,
            bytes32(0)
        );
        emit BondLocked(networkId, epoch, challenger, amount);
    }

    /// @inheritdoc IRevenueLedger
    /// @dev The transfer is tried first (under the reentrancy guard) so that a token that refuses it (a
    /// blocklisted challenger) cannot block the ruling: the bond then stays booked, returnable.
    function returnBond(uint256 networkId, address challenger, uint256 amount, uint64 epoch)
        external
        onlyWorkLedger
        nonReentrant
    {
        address token = _tokens[networkId];
        bool paid = IERC20(token).trySafeTransfer(challenger, amount);
        if (paid) {
            _post(
                networkId,
                _account(AccountKind.Bond, networkId, challenger),
                _account(AccountKind.Assets, 0, token),
                amount,
                epoch,
                bytes32(0)
            );
        } else {
            _returnable[networkId][challenger] += amount;
        }
        emit BondReturned(networkId, epoch, challenger, amount, paid);
    }

    /// @inheritdoc IRevenueLedger
    function forfeitBond(uint256 networkId, address challenger, uint256 amount, uint64 epoch)
        external
        onlyWorkLedger
        nonReentrant
    {
        _post(
            networkId,
            _account(AccountKind.Bond, networkId, challenger),
            _account(AccountKind.Revenue, networkId, address(0)),
            amount,
            epoch,
            bytes32(0)
        );
        emit BondForfeited(networkId, epoch, challenger, amount);
    }

    /// @inheritdoc IRevenueLedger
    function withdrawBond(uint256 networkId, address to) external nonReentrant {
        if (to == address(0)) revert RevenueLedgerZeroAddress("to");
        uint256 amount = _returnable[networkId][msg.sender];
        if (amount == 0) revert RevenueLedgerZeroAmount();
        _returnable[networkId][msg.sender] = 0;
        address token = _tokens[networkId];
        _post(
            networkId,
            _account(AccountKind.Bond, networkId, msg.sender),
            _account(AccountKind.Assets, 0, token),
            amount,
            NO_EPOCH,
            bytes32(0)
        );
        emit BondWithdrawn(networkId, msg.sender, to, amount);
        IERC20(token).safeTransfer(to, amount);
    }

    /*//////////////////////////////////////////////////////////////
                                 PROTOCOL
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IRevenueLedger
    function setProtocolFee(uint16 feeBps) external {
        _requireProtocolAdmin();
        if (feeBps > MAX_FEE_BPS) revert RevenueLedgerInvalidFeeBps(feeBps);
        _protocolFeeBps = feeBps;
        emit ProtocolFeeSet(feeBps);
    }

    /// @inheritdoc IRevenueLedger
    function withdrawFees(uint256 networkId, address to) external nonReentrant {
        _requireProtocolAdmin();
        if (networkId > MAX_NETWORK_ID) revert RevenueLedgerUnknownNetwork(networkId);
        if (to == address(0)) revert RevenueLedgerZeroAddress("to");
        bytes32 fee = _account(AccountKind.Fee, networkId, address(0));
        uint256 amount = _balances[fee];
        if (amount == 0) revert RevenueLedgerZeroAmount();
        address token = _tokens[networkId];
        _post(networkId, fee, _account(AccountKind.Assets, 0, token), amount, NO_EPOCH, bytes32(0));
        emit FeesWithdrawn(networkId, to, amount);
        IERC20(token).safeTransfer(to, amount);
    }

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IRevenueLedger
    function workLedger() external view returns (address) {
        return address(WORK_LEDGER);
    }

    /// @inheritdoc IRevenueLedger
    function protocolAdmin() external view returns (address) {
        return PROTOCOL_ADMIN;
    }

    /// @inheritdoc IRevenueLedger
    function networkToken(uint256 networkId) external view returns (address) {
        return _tokens[networkId];
    }

    /// @inheritdoc IRevenueLedger
    function accountId(AccountKind kind, uint256 networkId, address holder) external pure returns (bytes32) {
        return _account(kind, networkId, holder);
    }

    /// @inheritdoc IRevenueLedger
    function balanceOf(bytes32 account) external view returns (uint256) {
        return _balances[account];
    }

    /// @inheritdoc IRevenueLedger
    function customer(uint256 networkId, address account)
        external
        view
        returns (uint256 escrow, uint256 thawing, uint64 thawReadyAt, uint256 runwayThreshold)
    {
        CustomerState storage c = _customers[networkId][account];
        return (
            _balances[_account(AccountKind.Escrow, networkId, account)], c.thawAmount, c.thawReadyAt, c.runwayThreshold
        );
    }

    /// @inheritdoc IRevenueLedger
    function billing(uint256 networkId, address account) external view returns (BillingInfo memory) {
        CustomerState storage c = _customers[networkId][account];
        uint64 thawFromPlusOne = c.thawFromPlusOne;
        return BillingInfo({
            authorized: c.authorized,
            capPerEpoch: c.cap,
            expiry: c.expiry,
            nextEpoch: c.nextEpoch,
            nonce: c.nonce,
            thawing: c.thawAmount,
            thawReadyAt: c.thawReadyAt,
            thawFromEpoch: thawFromPlusOne == 0 ? 0 : thawFromPlusOne - 1
        });
    }

    /// @inheritdoc IRevenueLedger
    function capAt(uint256 networkId, address account, uint64 epoch)
        external
        view
        returns (uint128 capPerEpoch, uint64 runStart, uint64 runEnd)
    {
        CustomerState storage c = _customers[networkId][account];
        uint64 next = c.nextEpoch;
        if (!c.authorized || epoch < next) return (0, 0, 0);
        // Runs are contiguous from the head's start (<= next <= epoch): the first that ends after `epoch` holds it.
        for (uint256 i = c.head; i < c.count; ++i) {
            CapRun memory run = c.runs[i];
            if (epoch < run.end) return (run.cap, run.start > next ? run.start : next, run.end);
        }
        return (0, 0, 0);
    }

    /// @inheritdoc IRevenueLedger
    function statement(bytes32 chargeId) external view returns (StatementInfo memory info) {
        StoredStatement storage st = _statements[chargeId];
        if (!st.exists) return info;
        (uint256 networkId, uint64 fromEpoch, address customer_) = _decodeChargeId(chargeId);
        return StatementInfo({
            networkId: networkId,
            customer: customer_,
            fromEpoch: fromEpoch,
            toEpoch: fromEpoch + st.span,
            refundable: st.refundable
        });
    }

    /// @inheritdoc IRevenueLedger
    function chargeIdOf(uint256 networkId, address account, uint64 fromEpoch) external pure returns (bytes32) {
        return _chargeId(networkId, account, fromEpoch);
    }

    /// @inheritdoc IRevenueLedger
    function payoutRoot(uint256 networkId) external view returns (PayoutInfo memory) {
        PayoutState storage p = _payouts[networkId];
        return PayoutInfo({
            root: p.root,
            throughEpoch: p.throughEpoch,
            rootCount: p.rootCount,
            total: p.total,
            dataHash: p.dataHash
        });
    }

    /// @inheritdoc IRevenueLedger
    function claimed(uint256 networkId, bytes32 nodeId) external view returns (uint256) {
        return _claimed[networkId][nodeId];
    }

    /// @inheritdoc IRevenueLedger
    function netRevenuePosted(uint256 networkId) external view returns (uint256) {
        return _balances[_account(AccountKind.Revenue, networkId, address(0))] + _payouts[networkId].total;
    }

    /// @inheritdoc IRevenueLedger
    function billingStatementDigest(BillingStatement calldata statement_) external view returns (bytes32) {
        return _statementDigest(statement_);
    }

    /// @inheritdoc IRevenueLedger
    function payoutRootDigest(PayoutRoot calldata payoutRoot_) external view returns (bytes32) {
        return _payoutRootDigest(payoutRoot_);
    }

    /// @inheritdoc IRevenueLedger
    function billingAuthorizationDigest(
        uint256 networkId,
        address account,
        uint128 capPerEpoch,
        uint64 expiry,
        uint256 nonce,
        uint256 deadline
    ) external view returns (bytes32) {
        return _authorizationDigest(networkId, account, capPerEpoch, expiry, nonce, deadline);
    }

    /// @inheritdoc IRevenueLedger
    function returnableBond(uint256 networkId, address challenger) external view returns (uint256) {
        return _returnable[networkId][challenger];
    }

    /// @inheritdoc IRevenueLedger
    function protocolFeeBps() external view returns (uint16) {
        return _protocolFeeBps;
    }

    /*//////////////////////////////////////////////////////////////
                            INTERNAL FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @dev Deposit `amount` (> 0) of `token` from msg.sender into its escrow, crediting what actually arrived.
    function _deposit(uint256 networkId, uint256 amount, address token) private returns (uint256 credited) {
        if (amount > type(uint128).max) revert RevenueLedgerAmountTooLarge(amount);
        IERC20 erc20 = IERC20(token);
        uint256 before = erc20.balanceOf(address(this));
        erc20.safeTransferFrom(msg.sender, address(this), amount);
        credited = erc20.balanceOf(address(this)) - before;
        if (credited == 0) revert RevenueLedgerZeroAmount();
        _post(
            networkId,
            _account(AccountKind.Assets, 0, token),
            _account(AccountKind.Escrow, networkId, msg.sender),
            credited,
            NO_EPOCH,
            bytes32(0)
        );
        emit Deposited(networkId, msg.sender, msg.sender, credited, amount);
    }

    /// @dev Set a customer's cap (0 = revoke) and expiry, re-deriving the runs of its unbilled epochs (see
    /// the contract's notes).
    function _setBilling(uint256 networkId, address customer_, uint128 cap, uint64 expiry) private {
        IWorkLedger.Network memory n = _network(networkId);
        if (cap != 0 && expiry <= block.timestamp) revert RevenueLedgerInvalidExpiry(expiry, block.timestamp);
        CustomerState storage c = _customers[networkId][customer_];
        uint64 changeEpoch = _firstEpochAfter(n, block.timestamp);
        if (!c.authorized) {
            if (cap == 0) revert RevenueLedgerNotAuthorized(networkId, customer_);
            c.authorized = true;
            c.nextEpoch = changeEpoch; // billing starts at the first epoch after the first authorization
        }
        _rebuildRuns(c, changeEpoch, cap, cap == 0 ? changeEpoch : _firstEpochAfter(n, expiry));
        c.cap = cap;
        c.expiry = cap == 0 ? 0 : expiry;
        emit BillingAuthorized(networkId, customer_, cap, c.expiry, changeEpoch, c.nextEpoch, msg.sender);
    }

    /// @dev Rewrite the runs from the customer's next unbilled epoch: epochs before `changeEpoch` keep
    /// max(old cap, `cap`) (0 past the old runs), epochs in [changeEpoch, expiryEnd) get `cap`. Runs are
    /// written from index 0, so storage is reused.
    function _rebuildRuns(CustomerState storage c, uint64 changeEpoch, uint128 cap, uint64 expiryEnd) private {
        uint64 next = c.nextEpoch;
        uint256 oldCount = c.count;
        CapRun[] memory runs = new CapRun[](oldCount - c.head + 2);
        uint256 len;
        for (uint256 i = c.head; i < oldCount; ++i) {
            CapRun memory old = c.runs[i];
            if (old.start < next) old.start = next;
            if (old.end > changeEpoch) old.end = changeEpoch;
            if (old.start < old.end) len = _pushRun(runs, len, old.start, old.end, old.cap > cap ? old.cap : cap);
        }
        if (cap != 0) {
            // The old runs kept cover [next, covered); started-before epochs past them had cap 0, now `cap`.
            uint64 covered = len == 0 ? next : runs[len - 1].end;
            if (covered < changeEpoch) len = _pushRun(runs, len, covered, changeEpoch, cap);
            if (changeEpoch < expiryEnd) len = _pushRun(runs, len, changeEpoch, expiryEnd, cap);
        }
        for (uint256 i = 0; i < len; ++i) {
            c.runs[i] = runs[i];
        }
        c.head = 0;
        c.count = uint32(len);
    }

    /// @dev Append run [start, end) -> cap to `runs[0, len)`, merging it into the last run when that one
    /// ends at `start` with the same cap. Returns the new length.
    function _pushRun(CapRun[] memory runs, uint256 len, uint64 start, uint64 end, uint128 cap)
        private
        pure
        returns (uint256)
    {
        if (len != 0) {
            CapRun memory last = runs[len - 1];
            if (last.end == start && last.cap == cap) {
                last.end = end;
                return len;
            }
        }
        runs[len] = CapRun({start: start, end: end, cap: cap});
        return len + 1;
    }

    /// @dev Check a statement's range and amount against the finality cursor, the network's statement
    /// length, the customer's cursor and caps, then move the cursor past it. Returns the cap the range ran under.
    function _checkStatement(CustomerState storage c, BillingStatement calldata st, uint64 finalizedCount)
        private
        returns (uint128 cap)
    {
        uint256 networkId = st.networkId;
        address customer_ = st.customer;
        uint64 fromEpoch = st.fromEpoch;
        uint64 toEpoch = st.toEpoch;
        if (toEpoch < fromEpoch) revert RevenueLedgerInvalidRange(fromEpoch, toEpoch);
        if (st.amount > type(uint128).max) revert RevenueLedgerAmountTooLarge(st.amount);
        if (toEpoch >= finalizedCount) revert RevenueLedgerNotFinalized(networkId, toEpoch, finalizedCount);
        if (networkId > type(uint32).max) revert RevenueLedgerUnknownNetwork(networkId); // charge ids hold 32 bits
        uint256 epochs = uint256(toEpoch) - fromEpoch + 1;
        {
            uint256 maxEpochs = WORK_LEDGER.maxStatementEpochsOf(networkId);
            if (epochs > maxEpochs) revert RevenueLedgerStatementTooLong(networkId, epochs, maxEpochs);
        }
        if (!c.authorized) revert RevenueLedgerNotAuthorized(networkId, customer_);
        {
            uint64 expected = c.nextEpoch;
            if (fromEpoch != expected) revert RevenueLedgerStatementOutOfOrder(networkId, customer_, fromEpoch, expected);
        }
        uint32 head = c.head;
        uint32 count = c.count;
        uint64 runEnd = type(uint64).max;
        if (head < count) {
            CapRun memory run = c.runs[head];
            if (fromEpoch < run.end) {
                cap = run.cap;
                runEnd = run.end;
            }
        }
        if (toEpoch >= runEnd) revert RevenueLedgerStatementSpansCapChange(networkId, customer_, toEpoch, runEnd);
        if (st.amount > uint256(cap) * epochs) {
            revert RevenueLedgerCapExceeded(networkId, customer_, cap, epochs, st.amount);
        }
        c.nextEpoch = toEpoch + 1;
        if (toEpoch + 1 == runEnd && head + 1 < count) c.head = head + 1;
    }

    /// @dev Take a statement's amount (> 0) from the customer's escrow: net to revenue, fee to the protocol,
    /// both at epoch toEpoch with ref = chargeId. The thawing part pays only for epochs that started before
    /// the request (charges take the non-thawing part first). Returns the fee.
    function _collect(CustomerState storage c, BillingStatement calldata st, bytes32 chargeId)
        private
        returns (uint256 fee)
    {
        uint256 networkId = st.networkId;
        address customer_ = st.customer;
        uint64 toEpoch = st.toEpoch;
        uint256 amount = st.amount;
        bytes32 escrow = _account(AccountKind.Escrow, networkId, customer_);
        uint256 balance = _balances[escrow];
        uint256 thawing;
        {
            uint64 thawFromPlusOne = c.thawFromPlusOne;
            if (thawFromPlusOne != 0) thawing = c.thawAmount;
            // toEpoch + 1 >= thawFromPlusOne <=> toEpoch >= the first epoch the thawing part may not pay for.
            uint256 free = thawFromPlusOne != 0 && toEpoch + 1 >= thawFromPlusOne ? balance - thawing : balance;
            if (amount > free) revert RevenueLedgerInsufficientFree(networkId, customer_, free, amount);
        }
        fee = (amount * _protocolFeeBps) / BPS_DENOMINATOR;
        uint256 net = amount - fee;
        _statements[chargeId] = StoredStatement({
            refundable: uint128(net), // amount <= type(uint128).max (checked with the statement)
            span: uint32(toEpoch - st.fromEpoch), // < maxStatementEpochs <= 10,000
            exists: true
        });
        _post(networkId, escrow, _account(AccountKind.Revenue, networkId, address(0)), net, toEpoch, chargeId);
        if (fee != 0) _post(networkId, escrow, _account(AccountKind.Fee, networkId, address(0)), fee, toEpoch, chargeId);
        uint256 left = balance - amount;
        if (left < thawing) c.thawAmount = uint128(left);
        uint256 threshold = c.runwayThreshold;
        if (left < threshold) emit RunwayLow(networkId, customer_, left, threshold);
    }

    /// @dev Emit {StatementCharged} (apart, to keep the charge's stack shallow).
    function _emitCharged(
        bytes32 chargeId,
        BillingStatement calldata st,
        uint256 fee,
        uint128 cap,
        address[] memory signers,
        string calldata referenceText
    ) private {
        emit StatementCharged(
            chargeId,
            st.networkId,
            st.customer,
            st.fromEpoch,
            st.toEpoch,
            st.amount,
            fee,
            st.usageHash,
            cap,
            signers,
            referenceText
        );
    }

    /// @dev Book a claim: payable -> assets (epoch = the root's throughEpoch, ref = nodeId), after checking
    /// that the payable account covers it.
    function _payOut(uint256 networkId, bytes32 nodeId, address token, uint256 amount, uint64 throughEpoch) private {
        bytes32 payable_ = _account(AccountKind.Payable, networkId, address(0));
        uint256 available = _balances[payable_];
        if (amount > available) revert RevenueLedgerPayableShortfall(networkId, available, amount);
        _post(networkId, payable_, _account(AccountKind.Assets, 0, token), amount, throughEpoch, nodeId);
    }

    /// @dev Book a refund: revenue -> escrow, after checking that the revenue account covers it.
    function _refundEntry(uint256 networkId, address customer_, uint256 amount, uint64 epoch, bytes32 chargeId) private {
        bytes32 revenue = _account(AccountKind.Revenue, networkId, address(0));
        uint256 available = _balances[revenue];
        if (amount > available) revert RevenueLedgerInsufficientRevenue(networkId, available, amount);
        _post(networkId, revenue, _account(AccountKind.Escrow, networkId, customer_), amount, epoch, chargeId);
    }

    /// @dev Check a payout root against the network's latest root, the finality cursor and the net revenue
    /// ever posted. Returns the latest root's total.
    function _checkPayoutRoot(PayoutState storage p, PayoutRoot calldata r, uint64 finalizedCount)
        private
        view
        returns (uint256 previous)
    {
        uint256 networkId = r.networkId;
        uint64 throughEpoch = r.throughEpoch;
        uint256 total = r.total;
        if (r.root == bytes32(0)) revert RevenueLedgerInvalidPayoutRoot(networkId);
        if (throughEpoch >= finalizedCount) revert RevenueLedgerNotFinalized(networkId, throughEpoch, finalizedCount);
        if (p.rootCount != 0 && throughEpoch <= p.throughEpoch) {
            revert RevenueLedgerThroughEpochNotRising(networkId, throughEpoch, p.throughEpoch);
        }
        previous = p.total;
        if (total < previous) revert RevenueLedgerPayoutTotalDecreased(networkId, total, previous);
        uint256 netPosted = _balances[_account(AccountKind.Revenue, networkId, address(0))] + previous;
        if (total > netPosted) revert RevenueLedgerPayoutExceedsPosted(networkId, total, netPosted);
    }

    /// @dev Record a checked payout root and move the increase over the previous total from revenue to payable.
    function _storePayoutRoot(PayoutState storage p, PayoutRoot calldata r, address token, uint256 previous)
        private
        returns (uint256 increase)
    {
        uint256 networkId = r.networkId;
        bytes32 root = r.root;
        uint64 throughEpoch = r.throughEpoch;
        uint256 total = r.total;
        p.root = root;
        p.token = token;
        p.throughEpoch = throughEpoch;
        p.rootCount += 1;
        p.total = total;
        p.dataHash = r.dataHash;
        increase = total - previous;
        if (increase != 0) {
            _post(
                networkId,
                _account(AccountKind.Revenue, networkId, address(0)),
                _account(AccountKind.Payable, networkId, address(0)),
                increase,
                throughEpoch,
                root
            );
        }
    }

    /// @dev Recovers every signature over `digest` and returns the signers. Each must be a valid 65-byte
    /// low-s signature of a member of the network's current verifier set, in strictly ascending signer order
    /// (no duplicates), and there must be at least the current threshold.
    function _checkSignatures(
        uint256 networkId,
        IWorkLedger.Network memory n,
        bytes32 digest,
        bytes[] calldata signatures
    ) private view returns (address[] memory signers) {
        uint32 setId = n.verifierSetId;
        uint8 threshold = n.threshold;
        uint256 count = signatures.length;
        if (count < threshold) revert RevenueLedgerBelowThreshold(count, threshold);
        signers = new address[](count);
        address previous = address(0);
        for (uint256 i = 0; i < count; ++i) {
            (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(digest, signatures[i]);
            if (err != ECDSA.RecoverError.NoError) revert RevenueLedgerInvalidSignature(i);
            if (signer <= previous) {
                if (signer == previous) revert RevenueLedgerDuplicateSigner(signer);
                revert RevenueLedgerSignersUnsorted(previous, signer);
            }
            if (!WORK_LEDGER.isVerifier(networkId, setId, signer)) revert RevenueLedgerNotVerifier(signer);
            signers[i] = signer;
            previous = signer;
        }
    }

    /// @dev EIP-712 digest of a BillingStatement.
    function _statementDigest(BillingStatement calldata s) private view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    TypeHashes.BILLING_STATEMENT_TYPEHASH,
                    s.networkId,
                    s.customer,
                    s.fromEpoch,
                    s.toEpoch,
                    s.amount,
                    s.usageHash
                )
            )
        );
    }

    /// @dev EIP-712 digest of a PayoutRoot.
    function _payoutRootDigest(PayoutRoot calldata r) private view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(TypeHashes.PAYOUT_ROOT_TYPEHASH, r.networkId, r.root, r.throughEpoch, r.total, r.dataHash)
            )
        );
    }

    /// @dev EIP-712 digest of a BillingAuthorization.
    function _authorizationDigest(
        uint256 networkId,
        address customer_,
        uint128 capPerEpoch,
        uint64 expiry,
        uint256 nonce,
        uint256 deadline
    ) private view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    TypeHashes.BILLING_AUTHORIZATION_TYPEHASH, networkId, customer_, capPerEpoch, expiry, nonce, deadline
                )
            )
        );
    }

    /// @dev The first epoch of `n` that starts after `timestamp` (epoch e starts at genesis + e * epochSeconds).
    function _firstEpochAfter(IWorkLedger.Network memory n, uint256 timestamp) private pure returns (uint64) {
        if (timestamp < n.genesisTime) return 0;
        return uint64((timestamp - n.genesisTime) / n.epochSeconds + 1);
    }

    /// @dev Post one entry: a debit adds to the Assets account and takes from any other; a credit does
    /// the opposite. Checked arithmetic makes an overdraft revert (callers check first, with a clear error).
    function _post(uint256 networkId, bytes32 debit, bytes32 credit, uint256 amount, uint64 epoch, bytes32 ref)
        private
        returns (uint256 debitBalance, uint256 creditBalance)
    {
        debitBalance = _isAssets(debit) ? _balances[debit] + amount : _balances[debit] - amount;
        creditBalance = _isAssets(credit) ? _balances[credit] - amount : _balances[credit] + amount;
        _balances[debit] = debitBalance;
        _balances[credit] = creditBalance;
        emit EntryPosted(networkId, debit, credit, amount, epoch, ref, debitBalance, creditBalance);
    }

    /// @dev The WorkLedger's record of an existing network (RevenueLedgerUnknownNetwork otherwise).
    function _network(uint256 networkId) private view returns (IWorkLedger.Network memory n) {
        if (networkId == 0 || networkId > MAX_NETWORK_ID) revert RevenueLedgerUnknownNetwork(networkId);
        try WORK_LEDGER.network(networkId) returns (IWorkLedger.Network memory found) {
            n = found;
        } catch {
            revert RevenueLedgerUnknownNetwork(networkId);
        }
    }

    /// @dev The network's token, cached on first use.
    function _token(uint256 networkId, IWorkLedger.Network memory n) private returns (address token) {
        token = n.token;
        if (_tokens[networkId] == address(0)) _tokens[networkId] = token;
    }

    /// @dev Reverts unless msg.sender holds the network's BILLER role.
    function _requireBiller(uint256 networkId) private view {
        if (!WORK_LEDGER.hasNetworkRole(networkId, NetworkRoles.BILLER, msg.sender)) {
            revert RevenueLedgerUnauthorized(networkId, msg.sender, NetworkRoles.BILLER);
        }
    }

    /// @dev Reverts unless msg.sender is the protocol admin.
    function _requireProtocolAdmin() private view {
        if (msg.sender != PROTOCOL_ADMIN) revert RevenueLedgerUnauthorized(0, msg.sender, PROTOCOL_ADMIN_ROLE);
    }

    /// @dev bytes32(networkId << 224 | fromEpoch << 160 | customer): unique per statement, since a customer's
    /// statements on a network never share a first epoch. networkId < 2^32 for every network (checked).
    function _chargeId(uint256 networkId, address customer_, uint64 fromEpoch) private pure returns (bytes32) {
        return bytes32((networkId << 224) | (uint256(fromEpoch) << 160) | uint256(uint160(customer_)));
    }

    /// @dev The (networkId, fromEpoch, customer) of a charge id.
    function _decodeChargeId(bytes32 chargeId) private pure returns (uint256 networkId, uint64 fromEpoch, address customer_) {
        uint256 v = uint256(chargeId);
        return (v >> 224, uint64(v >> 160), address(uint160(v)));
    }

    /// @dev bytes32(kind << 248 | networkId << 160 | holder); networkId is < 2^88 for every caller.
    function _account(AccountKind kind, uint256 networkId, address holder) private pure returns (bytes32) {
        return bytes32((uint256(kind) << KIND_SHIFT) | (networkId << NETWORK_SHIFT) | uint256(uint160(holder)));
    }

    /// @dev Whether `account` is an Assets account (debit-normal).
    function _isAssets(bytes32 account) private pure returns (bool) {
        return uint256(account) >> KIND_SHIFT == uint256(AccountKind.Assets);
    }
}
