// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IRevenueLedger} from "./interfaces/IRevenueLedger.sol";
import {IWorkLedger} from "./interfaces/IWorkLedger.sol";
import {NetworkRoles} from "./libraries/NetworkRoles.sol";

/// @title RevenueLedger
/// @notice Double-entry books for the money around verified work: customer escrow, two-phase charges
/// tied to epoch finality in the {IWorkLedger}, SLA refunds, node payouts claimed with Merkle proofs,
/// and a protocol fee.
/// @dev Accounting rules:
/// - Every movement is one entry (debit, credit, amount, epoch, ref) emitted as {EntryPosted}. The Assets
///   account of a token is debit-normal (a debit adds to it); every other account is credit-normal. So
///   for every token, balanceOf(Assets(token)) == Σ balances of the Escrow, Held, Revenue, Payable and
///   Fee accounts of the networks using it, and it equals token.balanceOf(this) unless tokens are sent
///   to the contract outside {deposit} (such donations are not booked).
/// - Fee-on-transfer tokens: a deposit credits the balance delta that actually arrived (never the
///   requested amount); outgoing transfers debit the books by the amount sent, which is what leaves
///   this contract (the recipient bears the token's fee).
/// - Rebasing tokens (balances that change without a transfer) are NOT supported: a negative rebase
///   would leave the books above the tokens held. Networks must not use them.
/// - A pause of the network in the WorkLedger stops charges only (DESIGN rule 10); every other path,
///   bonds included, keeps working, so a pause never traps funds.
/// - Challenge bonds: only the WorkLedger moves them ({lockBond}, {returnBond}, {forfeitBond}); they sit in
///   bond:<networkId>:<challenger> accounts. A forfeited bond is network revenue of the challenged epoch.
/// - Checks-effects-interactions everywhere, plus a transient reentrancy guard on every external
///   mutating function (each one may reach a token). A deposit has to read the token balance around
///   the transfer to learn what arrived; the guard covers that window.
contract RevenueLedger is IRevenueLedger, ReentrancyGuardTransient {
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
    /// @dev Leaves per claimed-bitmap word: bits 0..254 are leaves, bit 255 is the "opened" marker.
    uint256 private constant LEAVES_PER_WORD = 255;
    /// @dev The marker bit of an opened bitmap word.
    uint256 private constant WORD_OPENED = 1 << 255;
    /// @notice Bitmap words a payout root opens in advance (16 words = the first 4,080 leaves): the biller
    /// pays each word's zero-to-non-zero write once (about 22,100 gas) instead of the word's first claimer,
    /// so every claim in that range costs the same. Bounded, so root posting gas stays bounded.
    uint256 public constant PREOPENED_WORDS = 16;
    /// @dev Role id reported in {RevenueLedgerUnauthorized} for protocol-admin functions: keccak256("PROTOCOL_ADMIN").
    bytes32 private constant PROTOCOL_ADMIN_ROLE = keccak256("PROTOCOL_ADMIN");

    /*//////////////////////////////////////////////////////////////
                                 STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @dev A payout root, packed so that a claim reads two slots and writes one.
    struct PayoutState {
        bytes32 root; // StandardMerkleTree root over (index, nodeId, operator, amount)
        // --- slot 2: read and written by every claim ---
        address token; // The network's token (saves a lookup per claim)
        uint96 remaining; // Declared total not yet claimed (total <= type(uint96).max)
        // --- slot 3: view only ---
        uint128 total; // Declared total
    }

    /// @dev Per-customer state besides its balances (which live in the books).
    struct CustomerState {
        bytes32 lastChargeId; // Most recent charge
        uint256 runwayThreshold; // Free balance below which a charge emits {RunwayLow}
    }

    IWorkLedger private immutable WORK_LEDGER;
    address private immutable PROTOCOL_ADMIN;

    /// @dev Protocol fee rate snapshotted into each new charge.
    uint16 private _protocolFeeBps;
    /// @dev Balance of every account, by account id (see {accountId}).
    mapping(bytes32 account => uint256 balance) private _balances;
    /// @dev Token of each network, cached on its first deposit (a network's token never changes).
    mapping(uint256 networkId => address token) private _tokens;
    mapping(bytes32 chargeId => Charge charge) private _charges;
    mapping(uint256 networkId => mapping(address customer => CustomerState state)) private _customers;
    /// @dev Posted net revenue of an epoch minus refunds and payout roots against it.
    mapping(uint256 networkId => mapping(uint64 epoch => uint256 available)) private _epochRevenue;
    mapping(uint256 networkId => mapping(uint64 epoch => PayoutState payout)) private _payouts;
    /// @dev Claimed payout leaves: bit (index % 255) of word (index / 255). Bit 255 of a word marks it as
    /// opened in advance (see {PREOPENED_WORDS}), so that the first claim of the word does not pay for a
    /// zero-to-non-zero storage write.
    mapping(uint256 networkId => mapping(uint64 epoch => mapping(uint256 word => uint256 bits))) private _claimed;
    /// @dev Returned bonds whose transfer failed (still in the bond account), per network and challenger.
    mapping(uint256 networkId => mapping(address challenger => uint256 amount)) private _returnable;

    /// @dev Reverts unless the caller is the WorkLedger (bond paths).
    modifier onlyWorkLedger() {
        if (msg.sender != address(WORK_LEDGER)) revert RevenueLedgerOnlyWorkLedger(msg.sender);
        _;
    }

    /// @notice Deploys the books over `workLedger_`; the WorkLedger's deployer then wires this contract
    /// with {IWorkLedger-setRevenueLedger} so that challenge bonds can be posted.
    /// @param workLedger_ The WorkLedger that owns networks, roles and epoch finality.
    /// @param protocolAdmin_ Sets the protocol fee and withdraws protocol fees.
    constructor(address workLedger_, address protocolAdmin_) {
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
        return _deposit(networkId, amount, _activeToken(networkId, false));
    }

    /// @inheritdoc IRevenueLedger
    /// @dev The permit is attempted and a failure ignored (it may have been front-run): the transfer then
    /// succeeds or fails on the allowance that actually exists.
    function depositWithPermit(uint256 networkId, uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
        nonReentrant
        returns (uint256 credited)
    {
        address token = _activeToken(networkId, false);
        if (amount == 0) revert RevenueLedgerZeroAmount();
        try IERC20Permit(token).permit(msg.sender, address(this), amount, deadline, v, r, s) {} catch {}
        return _deposit(networkId, amount, token);
    }

    /// @inheritdoc IRevenueLedger
    function withdraw(uint256 networkId, uint256 amount, address to) external nonReentrant {
        if (networkId > MAX_NETWORK_ID) revert RevenueLedgerUnknownNetwork(networkId);
        if (to == address(0)) revert RevenueLedgerZeroAddress("to");
        if (amount == 0) revert RevenueLedgerZeroAmount();
        bytes32 escrow = _account(AccountKind.Escrow, networkId, msg.sender);
        uint256 free = _balances[escrow];
        if (free < amount) revert RevenueLedgerInsufficientFree(networkId, msg.sender, free, amount);
        address token = _tokens[networkId];
        _post(networkId, escrow, _account(AccountKind.Assets, 0, token), amount, NO_EPOCH, bytes32(0));
        emit Withdrawn(networkId, msg.sender, to, amount);
        IERC20(token).safeTransfer(to, amount);
    }

    /// @inheritdoc IRevenueLedger
    function setRunwayThreshold(uint256 networkId, uint256 threshold) external {
        _customers[networkId][msg.sender].runwayThreshold = threshold;
        emit RunwayThresholdSet(networkId, msg.sender, threshold);
    }

    /*//////////////////////////////////////////////////////////////
                                 CHARGES
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IRevenueLedger
    function charge(uint256 networkId, address customer_, uint64 epoch, uint256 amount, bytes32 ref)
        external
        nonReentrant
        returns (bytes32 chargeId)
    {
        _activeToken(networkId, true);
        _requireBiller(networkId);
        if (customer_ == address(0)) revert RevenueLedgerZeroAddress("customer");
        if (amount == 0) revert RevenueLedgerZeroAmount();
        if (amount > type(uint128).max) revert RevenueLedgerAmountTooLarge(amount);
        (IWorkLedger.EpochStatus status,) = WORK_LEDGER.epochStatus(networkId, epoch);
        if (status == IWorkLedger.EpochStatus.None || status == IWorkLedger.EpochStatus.Voided) {
            revert RevenueLedgerEpochNotChargeable(networkId, epoch, uint8(status));
        }
        chargeId = keccak256(abi.encode(networkId, customer_, epoch, ref));
        if (_charges[chargeId].status != ChargeStatus.None) revert RevenueLedgerChargeExists(chargeId);
        uint16 feeBps = _protocolFeeBps;
        _charges[chargeId] = Charge({
            customer: customer_,
            epoch: epoch,
            status: ChargeStatus.Held,
            feeBps: feeBps,
            amount: uint128(amount),
            refunded: 0,
            networkId: networkId,
            ref: ref
        });
        _hold(networkId, customer_, epoch, amount, chargeId);
        emit Charged(chargeId, networkId, customer_, epoch, amount, ref, feeBps);
    }

    /// @inheritdoc IRevenueLedger
    function postCharge(bytes32 chargeId) external nonReentrant {
        Charge storage c = _heldCharge(chargeId);
        uint256 networkId = c.networkId;
        uint64 epoch = c.epoch;
        _activeToken(networkId, false);
        (IWorkLedger.EpochStatus status,) = WORK_LEDGER.epochStatus(networkId, epoch);
        if (status != IWorkLedger.EpochStatus.Final) revert RevenueLedgerEpochNotFinal(networkId, epoch, uint8(status));

        uint256 amount = c.amount;
        uint256 fee = (amount * c.feeBps) / BPS_DENOMINATOR;
        uint256 net = amount - fee; // the rounding remainder stays with the network's revenue
        c.status = ChargeStatus.Posted;
        _epochRevenue[networkId][epoch] += net;
        address customer_ = c.customer;
        bytes32 held = _account(AccountKind.Held, networkId, customer_);
        _post(networkId, held, _account(AccountKind.Revenue, networkId, address(0)), net, epoch, chargeId);
        if (fee != 0) _post(networkId, held, _account(AccountKind.Fee, networkId, address(0)), fee, epoch, chargeId);
        emit ChargePosted(chargeId, networkId, customer_, epoch, net, fee);
    }

    /// @inheritdoc IRevenueLedger
    function voidCharge(bytes32 chargeId) external nonReentrant {
        Charge storage c = _heldCharge(chargeId);
        uint256 networkId = c.networkId;
        uint64 epoch = c.epoch;
        (IWorkLedger.EpochStatus status,) = WORK_LEDGER.epochStatus(networkId, epoch);
        if (status != IWorkLedger.EpochStatus.Voided) {
            revert RevenueLedgerEpochNotVoided(networkId, epoch, uint8(status));
        }
        c.status = ChargeStatus.Voided;
        address customer_ = c.customer;
        uint256 amount = c.amount;
        _post(
            networkId,
            _account(AccountKind.Held, networkId, customer_),
            _account(AccountKind.Escrow, networkId, customer_),
            amount,
            epoch,
            chargeId
        );
        emit ChargeVoided(chargeId, networkId, customer_, epoch, amount);
    }

    /// @inheritdoc IRevenueLedger
    function refund(bytes32 chargeId, uint256 amount, bytes32 reasonHash) external nonReentrant {
        Charge storage c = _charges[chargeId];
        {
            ChargeStatus cs = c.status;
            if (cs == ChargeStatus.None) revert RevenueLedgerUnknownCharge(chargeId);
            if (cs != ChargeStatus.Posted) revert RevenueLedgerInvalidChargeStatus(chargeId, cs);
        }
        uint256 networkId = c.networkId;
        uint64 epoch = c.epoch;
        _activeToken(networkId, false);
        _requireBiller(networkId);
        if (amount == 0) revert RevenueLedgerZeroAmount();
        {
            uint256 charged = c.amount;
            uint256 refunded = c.refunded;
            uint256 refundable = charged - (charged * c.feeBps) / BPS_DENOMINATOR - refunded;
            if (amount > refundable) revert RevenueLedgerRefundExceedsCharge(chargeId, refundable, amount);
            c.refunded = uint128(refunded + amount);
        }
        uint256 available = _epochRevenue[networkId][epoch];
        if (amount > available) revert RevenueLedgerInsufficientRevenue(networkId, epoch, available, amount);
        _epochRevenue[networkId][epoch] = available - amount;
        address customer_ = c.customer;
        _post(
            networkId,
            _account(AccountKind.Revenue, networkId, address(0)),
            _account(AccountKind.Escrow, networkId, customer_),
            amount,
            epoch,
            chargeId
        );
        emit Refunded(chargeId, networkId, customer_, epoch, amount, reasonHash);
    }

    /*//////////////////////////////////////////////////////////////
                                 PAYOUTS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IRevenueLedger
    function postPayoutRoot(uint256 networkId, uint64 epoch, bytes32 root, uint256 total, uint256 leafCount)
        external
        nonReentrant
    {
        address token = _activeToken(networkId, false);
        _requireBiller(networkId);
        if (root == bytes32(0) || leafCount == 0) revert RevenueLedgerInvalidPayoutRoot(networkId, epoch, root, leafCount);
        if (total == 0) revert RevenueLedgerZeroAmount();
        if (total > type(uint96).max) revert RevenueLedgerAmountTooLarge(total);
        (IWorkLedger.EpochStatus status,) = WORK_LEDGER.epochStatus(networkId, epoch);
        if (status != IWorkLedger.EpochStatus.Final) revert RevenueLedgerEpochNotFinal(networkId, epoch, uint8(status));
        PayoutState storage p = _payouts[networkId][epoch];
        if (p.root != bytes32(0)) revert RevenueLedgerPayoutExists(networkId, epoch);
        uint256 available = _epochRevenue[networkId][epoch];
        if (total > available) revert RevenueLedgerInsufficientRevenue(networkId, epoch, available, total);

        _epochRevenue[networkId][epoch] = available - total;
        p.root = root;
        p.token = token;
        p.remaining = uint96(total);
        p.total = uint128(total);
        _openWords(networkId, epoch, leafCount);
        _post(
            networkId,
            _account(AccountKind.Revenue, networkId, address(0)),
            _account(AccountKind.Payable, networkId, address(0)),
            total,
            epoch,
            root
        );
        emit PayoutRootPosted(networkId, epoch, root, total, leafCount);
    }

    /// @inheritdoc IRevenueLedger
    function claim(
        uint256 networkId,
        uint64 epoch,
        uint256 index,
        bytes32 nodeId,
        uint256 amount,
        bytes32[] calldata proof,
        address to
    ) external nonReentrant {
        if (to == address(0)) revert RevenueLedgerZeroAddress("to");
        if (amount == 0) revert RevenueLedgerZeroAmount();
        PayoutState storage p = _payouts[networkId][epoch];
        {
            bytes32 root = p.root;
            if (root == bytes32(0)) revert RevenueLedgerUnknownPayout(networkId, epoch);
            _markClaimed(networkId, epoch, index); // reverts if claimed; undone if a later check fails
            bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(index, nodeId, msg.sender, amount))));
            if (!MerkleProof.verifyCalldata(proof, root, leaf)) revert RevenueLedgerInvalidProof(networkId, epoch, index);
        }
        uint256 remaining = p.remaining;
        if (amount > remaining) revert RevenueLedgerPayoutExceedsTotal(networkId, epoch, remaining, amount);
        p.remaining = uint96(remaining - amount);
        address token = p.token;
        _post(
            networkId,
            _account(AccountKind.Payable, networkId, address(0)),
            _account(AccountKind.Assets, 0, token),
            amount,
            epoch,
            nodeId
        );
        emit PayoutClaimed(networkId, epoch, index, nodeId, msg.sender, to, amount);
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
        _epochRevenue[networkId][epoch] += amount;
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
        returns (uint256 free, uint256 held, bytes32 lastChargeId, uint256 runwayThreshold)
    {
        CustomerState storage state = _customers[networkId][account];
        return (
            _balances[_account(AccountKind.Escrow, networkId, account)],
            _balances[_account(AccountKind.Held, networkId, account)],
            state.lastChargeId,
            state.runwayThreshold
        );
    }

    /// @inheritdoc IRevenueLedger
    function getCharge(bytes32 chargeId) external view returns (Charge memory) {
        return _charges[chargeId];
    }

    /// @inheritdoc IRevenueLedger
    function epochRevenue(uint256 networkId, uint64 epoch) external view returns (uint256) {
        return _epochRevenue[networkId][epoch];
    }

    /// @inheritdoc IRevenueLedger
    function payout(uint256 networkId, uint64 epoch) external view returns (Payout memory) {
        PayoutState storage p = _payouts[networkId][epoch];
        return Payout({root: p.root, total: p.total, claimed: p.total - p.remaining});
    }

    /// @inheritdoc IRevenueLedger
    function isClaimed(uint256 networkId, uint64 epoch, uint256 index) external view returns (bool) {
        return _claimed[networkId][epoch][index / LEAVES_PER_WORD] & (1 << (index % LEAVES_PER_WORD)) != 0;
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

    /// @dev Move a new charge from the customer's escrow to held; emit {RunwayLow} below the threshold.
    function _hold(uint256 networkId, address customer_, uint64 epoch, uint256 amount, bytes32 chargeId) private {
        bytes32 escrow = _account(AccountKind.Escrow, networkId, customer_);
        uint256 free = _balances[escrow];
        if (free < amount) revert RevenueLedgerInsufficientFree(networkId, customer_, free, amount);
        CustomerState storage state = _customers[networkId][customer_];
        state.lastChargeId = chargeId;
        (uint256 freeAfter,) =
            _post(networkId, escrow, _account(AccountKind.Held, networkId, customer_), amount, epoch, chargeId);
        uint256 threshold = state.runwayThreshold;
        if (freeAfter < threshold) emit RunwayLow(networkId, customer_, freeAfter, threshold);
    }

    /// @dev Open the first bitmap words of a new payout (at most PREOPENED_WORDS, as many as `leafCount` needs).
    function _openWords(uint256 networkId, uint64 epoch, uint256 leafCount) private {
        mapping(uint256 word => uint256 bits) storage bitmap = _claimed[networkId][epoch];
        uint256 words = leafCount >= PREOPENED_WORDS * LEAVES_PER_WORD
            ? PREOPENED_WORDS
            : (leafCount + LEAVES_PER_WORD - 1) / LEAVES_PER_WORD;
        for (uint256 w = 0; w < words; ++w) {
            bitmap[w] = WORD_OPENED;
        }
    }

    /// @dev Set the claimed bit of payout leaf `index`, reverting if it was set already.
    function _markClaimed(uint256 networkId, uint64 epoch, uint256 index) private {
        mapping(uint256 word => uint256 bits) storage bitmap = _claimed[networkId][epoch];
        uint256 word = index / LEAVES_PER_WORD;
        uint256 bit = 1 << (index % LEAVES_PER_WORD);
        uint256 bits = bitmap[word];
        if (bits & bit != 0) revert RevenueLedgerAlreadyClaimed(networkId, epoch, index);
        bitmap[word] = bits | bit;
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

    /// @dev The token of an existing network (unpaused when `whenNotPaused`: charges); caches it on first use.
    function _activeToken(uint256 networkId, bool whenNotPaused) private returns (address token) {
        if (networkId == 0 || networkId > MAX_NETWORK_ID || networkId > WORK_LEDGER.networkCount()) {
            revert RevenueLedgerUnknownNetwork(networkId);
        }
        IWorkLedger.Network memory n = WORK_LEDGER.network(networkId);
        if (whenNotPaused && n.paused) revert RevenueLedgerNetworkPaused(networkId);
        token = n.token;
        if (_tokens[networkId] == address(0)) _tokens[networkId] = token;
    }

    /// @dev A charge that exists and is still Held.
    function _heldCharge(bytes32 chargeId) private view returns (Charge storage c) {
        c = _charges[chargeId];
        ChargeStatus cs = c.status;
        if (cs == ChargeStatus.None) revert RevenueLedgerUnknownCharge(chargeId);
        if (cs != ChargeStatus.Held) revert RevenueLedgerInvalidChargeStatus(chargeId, cs);
    }

    function _requireBiller(uint256 networkId) private view {
        if (!WORK_LEDGER.hasNetworkRole(networkId, NetworkRoles.BILLER, msg.sender)) {
            revert RevenueLedgerUnauthorized(networkId, msg.sender, NetworkRoles.BILLER);
        }
    }

    function _requireProtocolAdmin() private view {
        if (msg.sender != PROTOCOL_ADMIN) revert RevenueLedgerUnauthorized(0, msg.sender, PROTOCOL_ADMIN_ROLE);
    }

    /// @dev bytes32(kind << 248 | networkId << 160 | holder); networkId is < 2^88 for every caller.
    function _account(AccountKind kind, uint256 networkId, address holder) private pure returns (bytes32) {
        return bytes32((uint256(kind) << KIND_SHIFT) | (networkId << NETWORK_SHIFT) | uint256(uint160(holder)));
    }

    function _isAssets(bytes32 account) private pure returns (bool) {
        return uint256(account) >> KIND_SHIFT == uint256(AccountKind.Assets);
    }
}
