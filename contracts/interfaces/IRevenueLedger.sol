// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IRevenueLedger
/// @notice The money around verified work, as double-entry books: customer escrow in an ERC-20
/// stablecoin, billing statements signed by k of the network's verifiers over Final epochs and charged
/// within the customer's own per-epoch cap, SLA refunds, withdrawals after a thaw, cumulative payout roots
/// signed by k of the verifiers with one claim per node for any number of epochs, and a protocol fee.
/// Every movement is one posted entry (debit account, credit account, amount, epoch, reference) with an
/// {EntryPosted} event. Challenge bonds of the WorkLedger sit here too, as bond:<networkId>:<challenger> accounts.
/// @dev Invariant at every block, per token: token.balanceOf(this) == assets(token) == the sum of the
/// balances of every liability account (escrow, revenue, payable, fee, bond) of the networks using it.
/// EIP-712 domain of the signed structs: name "RevenueLedger", version "1", the chain id and this contract
/// (ERC-5267 `eip712Domain()`).
interface IRevenueLedger {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice Kinds of accounts. An account id packs kind (8 bits), networkId (88 bits) and holder
    /// (160 bits): bytes32(kind << 248 | networkId << 160 | holder). See {accountId}.
    enum AccountKind {
        None,
        Escrow, // a customer's escrow on a network, thawing part included (holder = customer)
        Held, // retired (statements charge and post in one transaction); kept so that the kinds keep their numbers
        Revenue, // the network's posted net revenue not yet moved to payable (holder = 0)
        Payable, // owed to node operators under the latest payout root, not yet claimed (holder = 0)
        Fee, // protocol fee earned on the network (holder = 0)
        Assets, // tokens the contract holds (networkId = 0, holder = token): the debit-normal side
        Bond // challenge bonds a challenger has posted on a network and not yet got back (holder = challenger)
    }

    /// @notice A billing statement, as k of the network's current verifiers sign it (EIP-712 type
    /// BillingStatement(uint256 networkId,address customer,uint64 fromEpoch,uint64 toEpoch,uint256 amount,bytes32 usageHash)).
    struct BillingStatement {
        uint256 networkId; // The network billing
        address customer; // The customer billed
        uint64 fromEpoch; // First epoch covered (= the customer's next unbilled epoch)
        uint64 toEpoch; // Last epoch covered (< finalizedCount)
        uint256 amount; // Σ of the customer's usage leaves in the latest versions of the covered epochs
        bytes32 usageHash; // keccak256(abi.encode(UsageRef[])) over the covered epochs with usage, ascending
    }

    /// @notice A cumulative payout root, as k of the network's current verifiers sign it (EIP-712 type
    /// PayoutRoot(uint256 networkId,bytes32 root,uint64 throughEpoch,uint256 total,bytes32 dataHash)).
    struct PayoutRoot {
        uint256 networkId; // The network paying
        bytes32 root; // StandardMerkleTree root over (bytes32 nodeId, address operator, uint256 cumulativeAmount)
        uint64 throughEpoch; // Last epoch the cumulative amounts cover (rises with every root; < finalizedCount)
        uint256 total; // Σ cumulativeAmount of the leaves (never above the net revenue ever posted)
        bytes32 dataHash; // keccak256 of the leaves file (bundles/network-N-payout-E.json)
    }

    /// @notice A customer's billing state on a network (view).
    struct BillingInfo {
        bool authorized; // Authorized at least once (billing then starts at `nextEpoch`)
        uint128 capPerEpoch; // The latest authorization's cap (0 after a revoke)
        uint64 expiry; // The latest authorization's expiry (unix seconds; epochs starting after it are not billable)
        uint64 nextEpoch; // The only epoch the next statement may start at (last billed + 1)
        uint256 nonce; // Next nonce of a signed BillingAuthorization
        uint256 thawing; // Escrow requested for withdrawal (part of the escrow balance)
        uint64 thawReadyAt; // When the thawing amount may leave (0 when none)
        uint64 thawFromEpoch; // First epoch the thawing amount no longer pays for (epochs starting after the request)
    }

    /// @notice A charged statement (view).
    struct StatementInfo {
        uint256 networkId; // The network (0 for an unknown charge id)
        address customer; // The customer
        uint64 fromEpoch; // First epoch covered
        uint64 toEpoch; // Last epoch covered
        uint256 refundable; // Net (amount - fee) not yet refunded
    }

    /// @notice The latest payout root of a network (view).
    struct PayoutInfo {
        bytes32 root; // Latest root (zero before the first)
        uint64 throughEpoch; // Its throughEpoch
        uint32 rootCount; // Roots posted so far
        uint256 total; // Its cumulative total
        bytes32 dataHash; // Hash of its leaves file
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

    /// @notice A customer set (or changed) its billing authorization on a network.
    /// @param networkId The network.
    /// @param customer The customer.
    /// @param capPerEpoch The new per-epoch cap (0: revoked).
    /// @param expiry The new expiry (unix seconds; 0 for a revoke).
    /// @param changeEpoch First epoch that starts after the change: a lower cap binds it and later epochs,
    /// a higher one every unbilled epoch.
    /// @param nextEpoch The customer's next billable epoch (set by the first authorization to `changeEpoch`).
    /// @param relayer Who sent the transaction (the customer, or a relayer of its signed authorization).
    event BillingAuthorized(
        uint256 indexed networkId,
        address indexed customer,
        uint128 capPerEpoch,
        uint64 expiry,
        uint64 changeEpoch,
        uint64 nextEpoch,
        address relayer
    );

    /// @notice A verifier-signed billing statement was charged and posted: escrow -> revenue (net) and fee.
    /// @param chargeId bytes32(networkId << 224 | fromEpoch << 160 | customer) (see {chargeIdOf}).
    /// @param networkId The network.
    /// @param customer The customer.
    /// @param fromEpoch First epoch covered.
    /// @param toEpoch Last epoch covered.
    /// @param amount The statement's amount (net + fee).
    /// @param fee The protocol fee, floor(amount * feeBps / 10000).
    /// @param usageHash The signed usage hash (UsageRef[] of the covered epochs with usage).
    /// @param capPerEpoch The one cap the covered epochs ran under.
    /// @param signers The verifiers whose signatures were checked, ascending.
    /// @param referenceText The biller's reference text as written (e.g. "invoice 2026-11").
    event StatementCharged(
        bytes32 indexed chargeId,
        uint256 indexed networkId,
        address indexed customer,
        uint64 fromEpoch,
        uint64 toEpoch,
        uint256 amount,
        uint256 fee,
        bytes32 usageHash,
        uint128 capPerEpoch,
        address[] signers,
        string referenceText
    );

    /// @notice Part of a statement's net was credited back to the customer's escrow (an SLA credit).
    /// @param chargeId The statement's charge id.
    /// @param networkId The network.
    /// @param customer The customer.
    /// @param epoch The covered epoch the credit is for.
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

    /// @notice A customer asked to withdraw `amount` (replacing any earlier request; 0 cancels).
    /// @param networkId The network.
    /// @param customer The customer.
    /// @param amount The thawing amount.
    /// @param readyAt When it may leave (unix seconds).
    /// @param thawFromEpoch First epoch the thawing amount no longer pays for (epochs that start after the request).
    event WithdrawalRequested(
        uint256 indexed networkId, address indexed customer, uint256 amount, uint64 readyAt, uint64 thawFromEpoch
    );

    /// @notice Thawed escrow left the contract (the withdraw entry is written now).
    /// @param networkId The network.
    /// @param customer The customer.
    /// @param to The recipient.
    /// @param amount The amount.
    event Withdrawn(uint256 indexed networkId, address indexed customer, address indexed to, uint256 amount);

    /// @notice A verifier-signed cumulative payout root took effect: revenue -> payable by `increase`.
    /// @param networkId The network.
    /// @param throughEpoch The last epoch it covers.
    /// @param root The root.
    /// @param total Its cumulative total.
    /// @param increase What moved to payable (total - previous root's total).
    /// @param dataHash Hash of the leaves file.
    /// @param signers The verifiers whose signatures were checked, ascending.
    event PayoutRootPosted(
        uint256 indexed networkId,
        uint64 indexed throughEpoch,
        bytes32 root,
        uint256 total,
        uint256 increase,
        bytes32 dataHash,
        address[] signers
    );

    /// @notice An operator claimed its node's cumulative amount under the latest root: payable -> `to`.
    /// @param networkId The network.
    /// @param nodeId The node.
    /// @param operator The operator (the leaf's, who sent the claim).
    /// @param to The recipient.
    /// @param amount Paid now (cumulativeAmount - claimed before).
    /// @param cumulativeClaimed Claimed by the node in total after this claim (= the leaf's cumulativeAmount).
    /// @param throughEpoch The root's throughEpoch.
    event PayoutClaimed(
        uint256 indexed networkId,
        bytes32 indexed nodeId,
        address indexed operator,
        address to,
        uint256 amount,
        uint256 cumulativeClaimed,
        uint64 throughEpoch
    );

    /// @notice Protocol fees of a network were withdrawn.
    /// @param networkId The network.
    /// @param to The recipient.
    /// @param amount The amount.
    event FeesWithdrawn(uint256 indexed networkId, address indexed to, uint256 amount);

    /// @notice The protocol fee rate for future statements changed.
    /// @param feeBps The new rate in basis points.
    event ProtocolFeeSet(uint16 feeBps);

    /// @notice A customer set its runway alert threshold.
    /// @param networkId The network.
    /// @param customer The customer.
    /// @param threshold The escrow balance below which a charge emits {RunwayLow}.
    event RunwayThresholdSet(uint256 indexed networkId, address indexed customer, uint256 threshold);

    /// @notice A charge left the customer's escrow below its threshold.
    /// @param networkId The network.
    /// @param customer The customer.
    /// @param freeBalance The escrow after the charge.
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
    /// @notice The customer's escrow available for this charge or request does not cover the amount.
    /// @param networkId The network.
    /// @param customer The customer.
    /// @param free The escrow available (less the thawing amount where it may not pay).
    /// @param amount The amount asked.
    error RevenueLedgerInsufficientFree(uint256 networkId, address customer, uint256 free, uint256 amount);
    /// @notice Fewer signatures than the network's threshold.
    /// @param provided Signatures given.
    /// @param threshold The current k.
    error RevenueLedgerBelowThreshold(uint256 provided, uint256 threshold);
    /// @notice Signature `index` is malformed (length, high s, bad v).
    /// @param index Its position.
    error RevenueLedgerInvalidSignature(uint256 index);
    /// @notice A signer is not in the network's current verifier set.
    /// @param signer The recovered address.
    error RevenueLedgerNotVerifier(address signer);
    /// @notice The same verifier signed twice.
    /// @param signer The signer.
    error RevenueLedgerDuplicateSigner(address signer);
    /// @notice Signatures must be sorted by ascending signer address.
    /// @param previous The previous signer.
    /// @param signer The signer out of order.
    error RevenueLedgerSignersUnsorted(address previous, address signer);
    /// @notice An epoch at or past the network's finality cursor (statements and payout roots need epoch < finalizedCount).
    /// @param networkId The network.
    /// @param epoch The epoch given.
    /// @param finalizedCount The cursor.
    error RevenueLedgerNotFinalized(uint256 networkId, uint64 epoch, uint64 finalizedCount);
    /// @notice A statement with toEpoch < fromEpoch.
    /// @param fromEpoch First epoch.
    /// @param toEpoch Last epoch.
    error RevenueLedgerInvalidRange(uint64 fromEpoch, uint64 toEpoch);
    /// @notice A statement longer than the network's maxStatementEpochs.
    /// @param networkId The network.
    /// @param epochs Epochs covered.
    /// @param maxStatementEpochs The network's limit.
    error RevenueLedgerStatementTooLong(uint256 networkId, uint256 epochs, uint256 maxStatementEpochs);
    /// @notice A statement that does not start at the customer's next unbilled epoch (overlap, re-billing or a gap).
    /// @param networkId The network.
    /// @param customer The customer.
    /// @param fromEpoch The statement's first epoch.
    /// @param expected The customer's next unbilled epoch.
    error RevenueLedgerStatementOutOfOrder(uint256 networkId, address customer, uint64 fromEpoch, uint64 expected);
    /// @notice The customer never authorized billing on this network.
    /// @param networkId The network.
    /// @param customer The customer.
    error RevenueLedgerNotAuthorized(uint256 networkId, address customer);
    /// @notice The statement's amount is above cap × epochs under the cap its epochs ran under (0 after a
    /// revoke or past the expiry).
    /// @param networkId The network.
    /// @param customer The customer.
    /// @param capPerEpoch The cap in force.
    /// @param epochs Epochs covered.
    /// @param amount The statement's amount.
    error RevenueLedgerCapExceeded(
        uint256 networkId, address customer, uint256 capPerEpoch, uint256 epochs, uint256 amount
    );
    /// @notice The statement runs past the last epoch of its cap (a statement never spans a cap change).
    /// @param networkId The network.
    /// @param customer The customer.
    /// @param toEpoch The statement's last epoch.
    /// @param capEndEpoch First epoch under another cap.
    error RevenueLedgerStatementSpansCapChange(uint256 networkId, address customer, uint64 toEpoch, uint64 capEndEpoch);
    /// @notice An authorization whose expiry is not in the future.
    /// @param expiry The expiry given.
    /// @param timestamp The block's timestamp.
    error RevenueLedgerInvalidExpiry(uint64 expiry, uint256 timestamp);
    /// @notice A signed authorization past its deadline.
    /// @param deadline The deadline.
    error RevenueLedgerAuthorizationExpired(uint256 deadline);
    /// @notice A signed authorization that the customer did not sign (or for another nonce).
    /// @param customer The customer named.
    error RevenueLedgerInvalidAuthorization(address customer);
    /// @notice No withdrawal was requested.
    /// @param networkId The network.
    /// @param customer The customer.
    error RevenueLedgerNoWithdrawalRequest(uint256 networkId, address customer);
    /// @notice The requested withdrawal is still thawing.
    /// @param networkId The network.
    /// @param customer The customer.
    /// @param readyAt When it may leave.
    error RevenueLedgerStillThawing(uint256 networkId, address customer, uint64 readyAt);
    /// @notice No such charge.
    /// @param chargeId The id given.
    error RevenueLedgerUnknownCharge(bytes32 chargeId);
    /// @notice A refund for an epoch the statement does not cover.
    /// @param chargeId The charge.
    /// @param epoch The epoch named.
    /// @param fromEpoch The statement's first epoch.
    /// @param toEpoch The statement's last epoch.
    error RevenueLedgerRefundOutsideStatement(bytes32 chargeId, uint64 epoch, uint64 fromEpoch, uint64 toEpoch);
    /// @notice A refund above the statement's unrefunded net.
    /// @param chargeId The charge.
    /// @param refundable What may still be refunded.
    /// @param amount The amount asked.
    error RevenueLedgerRefundExceedsCharge(bytes32 chargeId, uint256 refundable, uint256 amount);
    /// @notice A refund for an epoch already in a payout root (epoch <= its throughEpoch): paid shares cannot shrink.
    /// @param networkId The network.
    /// @param epoch The epoch named.
    /// @param throughEpoch The latest root's throughEpoch.
    error RevenueLedgerEpochPaidOut(uint256 networkId, uint64 epoch, uint64 throughEpoch);
    /// @notice The network's revenue account does not cover the amount.
    /// @param networkId The network.
    /// @param available Its revenue balance.
    /// @param amount The amount asked.
    error RevenueLedgerInsufficientRevenue(uint256 networkId, uint256 available, uint256 amount);
    /// @notice Protocol fee above the maximum.
    /// @param feeBps The rate given.
    error RevenueLedgerInvalidFeeBps(uint256 feeBps);
    /// @notice A payout root of zero.
    /// @param networkId The network.
    error RevenueLedgerInvalidPayoutRoot(uint256 networkId);
    /// @notice A payout root whose throughEpoch does not rise above the previous root's.
    /// @param networkId The network.
    /// @param throughEpoch The new root's throughEpoch.
    /// @param previous The latest root's throughEpoch.
    error RevenueLedgerThroughEpochNotRising(uint256 networkId, uint64 throughEpoch, uint64 previous);
    /// @notice A payout root whose total is below the previous root's (cumulative totals never fall).
    /// @param networkId The network.
    /// @param total The new total.
    /// @param previous The latest root's total.
    error RevenueLedgerPayoutTotalDecreased(uint256 networkId, uint256 total, uint256 previous);
    /// @notice A payout root whose total is above the net revenue ever posted to the network.
    /// @param networkId The network.
    /// @param total The root's total.
    /// @param netPosted Net revenue ever posted (statements less fees and refunds, plus forfeited bonds).
    error RevenueLedgerPayoutExceedsPosted(uint256 networkId, uint256 total, uint256 netPosted);
    /// @notice No payout root was posted on the network yet.
    /// @param networkId The network.
    error RevenueLedgerNoPayoutRoot(uint256 networkId);
    /// @notice The proof does not match the latest root for (nodeId, msg.sender, cumulativeAmount): a wrong
    /// operator, an amount or a proof of an older root.
    /// @param networkId The network.
    /// @param nodeId The node.
    error RevenueLedgerInvalidProof(uint256 networkId, bytes32 nodeId);
    /// @notice The node claimed its cumulative amount already.
    /// @param networkId The network.
    /// @param nodeId The node.
    /// @param cumulativeAmount The leaf's cumulative amount.
    /// @param claimed What the node claimed so far.
    error RevenueLedgerNothingToClaim(uint256 networkId, bytes32 nodeId, uint256 cumulativeAmount, uint256 claimed);
    /// @notice The payable account does not cover the claim (leaves above the root's total).
    /// @param networkId The network.
    /// @param payableBalance The payable balance.
    /// @param amount The claim.
    error RevenueLedgerPayableShortfall(uint256 networkId, uint256 payableBalance, uint256 amount);
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

    /// @notice Ask to withdraw `amount` of the caller's escrow after the network's thawSeconds. Replaces any
    /// earlier request (the thaw restarts); 0 cancels. While thawing, the amount stays in escrow and still
    /// pays statements whose epochs all started before this request. Works while the network is paused.
    /// @param networkId The network.
    /// @param amount The amount (<= the escrow balance).
    function requestWithdrawal(uint256 networkId, uint256 amount) external;

    /// @notice Send the thawed amount (what is left of it after charges for earlier epochs) to `to`:
    /// escrow -> assets, written now. Works while the network is paused.
    /// @param networkId The network.
    /// @param to The recipient.
    /// @return amount The amount sent.
    function withdraw(uint256 networkId, address to) external returns (uint256 amount);

    /// @notice Set the escrow balance below which a charge emits {RunwayLow}.
    /// @param networkId The network.
    /// @param threshold The threshold.
    function setRunwayThreshold(uint256 networkId, uint256 threshold) external;

    /// @notice Authorize the network to bill the caller up to `capPerEpoch` per epoch, for epochs that start
    /// no later than `expiry`. The first authorization starts billing at the first epoch that starts after
    /// it. A lower cap binds epochs that start after this transaction; a higher cap binds every unbilled epoch.
    /// @param networkId The network.
    /// @param capPerEpoch The cap (> 0; use {revokeBilling} to stop).
    /// @param expiry Unix seconds (> now).
    function authorizeBilling(uint256 networkId, uint128 capPerEpoch, uint64 expiry) external;

    /// @notice Relay a customer's signed BillingAuthorization (EIP-712; anyone may send it, e.g. the
    /// biller). capPerEpoch 0 is a revoke. EOAs sign with ECDSA; contract wallets through ERC-1271.
    /// @param networkId The network.
    /// @param customer The customer who signed.
    /// @param capPerEpoch The cap (0 revokes).
    /// @param expiry Unix seconds (> now unless revoking).
    /// @param deadline Last second the signature may be used.
    /// @param signature The customer's signature (its nonce is {billing}.nonce).
    function authorizeBillingBySig(
        uint256 networkId,
        address customer,
        uint128 capPerEpoch,
        uint64 expiry,
        uint256 deadline,
        bytes calldata signature
    ) external;

    /// @notice Revoke the caller's billing authorization: epochs that start after this transaction are not
    /// billable (earlier unbilled epochs keep their cap).
    /// @param networkId The network.
    function revokeBilling(uint256 networkId) external;

    /*//////////////////////////////////////////////////////////////
                                 BILLING
    //////////////////////////////////////////////////////////////*/

    /// @notice Charge a billing statement signed by k of the network's current verifiers (BILLER role; not
    /// while paused), charged and posted at once: escrow -> revenue (amount - fee) and escrow -> fee
    /// (floor(amount * feeBps / 10000)), both entries at epoch `toEpoch` with ref = chargeId. Needs
    /// toEpoch < finalizedCount, fromEpoch = the customer's next unbilled epoch, at most maxStatementEpochs
    /// epochs, all under one cap, and amount <= cap * epochs. A zero amount only moves the customer's cursor.
    /// @param statement The signed statement.
    /// @param referenceText The reference text (event only), e.g. "invoice 2026-11".
    /// @param signatures 65-byte low-s signatures over the statement, sorted by ascending signer.
    /// @return chargeId bytes32(networkId << 224 | fromEpoch << 160 | customer) (see {chargeIdOf}).
    function charge(BillingStatement calldata statement, string calldata referenceText, bytes[] calldata signatures)
        external
        returns (bytes32 chargeId);

    /// @notice Refund part of a statement for one of its epochs (BILLER role; works while paused): revenue
    /// -> escrow, entry at `epoch` with ref = chargeId. Bounded by the statement's unrefunded net; the epoch
    /// must be covered by the statement and later than the latest payout root's throughEpoch.
    /// @param chargeId The statement's charge id.
    /// @param epoch The covered epoch the credit is for.
    /// @param amount The amount.
    /// @param reasonHash Hash of the reason.
    function refund(bytes32 chargeId, uint64 epoch, uint256 amount, bytes32 reasonHash) external;

    /*//////////////////////////////////////////////////////////////
                                 PAYOUTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Post a cumulative payout root signed by k of the network's current verifiers (anyone; works
    /// while paused): revenue -> payable by total - the previous root's total. throughEpoch must rise and
    /// be < finalizedCount; total never falls and never exceeds the net revenue ever posted to the network.
    /// @param payoutRoot The signed root.
    /// @param signatures 65-byte low-s signatures over it, sorted by ascending signer.
    function postPayoutRoot(PayoutRoot calldata payoutRoot, bytes[] calldata signatures) external;

    /// @notice Claim leaf (nodeId, msg.sender, cumulativeAmount) of the network's latest payout root, paid
    /// to `to`: pays cumulativeAmount - claimed so far. The leaf's operator sends it. Works while paused.
    /// @param networkId The network.
    /// @param nodeId The node.
    /// @param cumulativeAmount The leaf's cumulative amount.
    /// @param proof The Merkle proof against the latest root.
    /// @param to The recipient (any address the operator chooses).
    /// @return amount The amount paid.
    function claim(uint256 networkId, bytes32 nodeId, uint256 cumulativeAmount, bytes32[] calldata proof, address to)
        external
        returns (uint256 amount);

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
    /// only; ignores pause): bond -> revenue. It counts as net revenue posted (payout roots may pay it).
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

    /// @notice Set the protocol fee rate for future statements (protocol admin).
    /// @param feeBps The rate in basis points (<= MAX_FEE_BPS).
    function setProtocolFee(uint16 feeBps) external;

    /// @notice Withdraw a network's accrued protocol fees (protocol admin).
    /// @param networkId The network.
    /// @param to The recipient.
    function withdrawFees(uint256 networkId, address to) external;

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @notice The WorkLedger this ledger reads networks, verifier sets, roles and the finality cursor from.
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

    /// @notice A customer's escrow (thawing part included), its thawing part and its runway threshold.
    /// @param networkId The network.
    /// @param account The customer.
    /// @return escrow The escrow balance.
    /// @return thawing The part requested for withdrawal.
    /// @return thawReadyAt When the thawing part may leave (0 when none).
    /// @return runwayThreshold The runway alert threshold.
    function customer(uint256 networkId, address account)
        external
        view
        returns (uint256 escrow, uint256 thawing, uint64 thawReadyAt, uint256 runwayThreshold);

    /// @notice A customer's billing state on a network.
    /// @param networkId The network.
    /// @param account The customer.
    /// @return The state.
    function billing(uint256 networkId, address account) external view returns (BillingInfo memory);

    /// @notice The cap an unbilled epoch runs under, and the run of epochs sharing it (a statement must stay
    /// inside one run). Zeros for an epoch that is billed, before billing starts, or not billable.
    /// @param networkId The network.
    /// @param account The customer.
    /// @param epoch The epoch.
    /// @return capPerEpoch The cap (0: not billable).
    /// @return runStart First epoch of the run.
    /// @return runEnd First epoch after the run (type(uint64).max when open-ended).
    function capAt(uint256 networkId, address account, uint64 epoch)
        external
        view
        returns (uint128 capPerEpoch, uint64 runStart, uint64 runEnd);

    /// @notice A charged statement with a non-zero amount, by charge id (zeros when unknown or of a zero amount).
    /// @param chargeId The charge id.
    /// @return The statement.
    function statement(bytes32 chargeId) external view returns (StatementInfo memory);

    /// @notice The charge id of a statement: bytes32(networkId << 224 | fromEpoch << 160 | customer), unique
    /// because a customer's statements on a network never share a first epoch (network ids are < 2^32).
    /// @param networkId The network.
    /// @param account The customer.
    /// @param fromEpoch The statement's first epoch.
    /// @return The charge id.
    function chargeIdOf(uint256 networkId, address account, uint64 fromEpoch) external pure returns (bytes32);

    /// @notice The network's latest payout root.
    /// @param networkId The network.
    /// @return The root's state.
    function payoutRoot(uint256 networkId) external view returns (PayoutInfo memory);

    /// @notice What a node claimed so far on a network.
    /// @param networkId The network.
    /// @param nodeId The node.
    /// @return The amount.
    function claimed(uint256 networkId, bytes32 nodeId) external view returns (uint256);

    /// @notice Net revenue ever posted to the network: statements less fees and refunds, plus forfeited bonds
    /// (= the revenue balance + the latest payout root's total). A root's total may not exceed it.
    /// @param networkId The network.
    /// @return The amount.
    function netRevenuePosted(uint256 networkId) external view returns (uint256);

    /// @notice The EIP-712 digest of a billing statement (what the verifiers sign).
    /// @param statement_ The statement.
    /// @return The digest.
    function billingStatementDigest(BillingStatement calldata statement_) external view returns (bytes32);

    /// @notice The EIP-712 digest of a payout root (what the verifiers sign).
    /// @param payoutRoot_ The root.
    /// @return The digest.
    function payoutRootDigest(PayoutRoot calldata payoutRoot_) external view returns (bytes32);

    /// @notice The EIP-712 digest of a customer's BillingAuthorization(uint256 networkId,address customer,
    /// uint128 capPerEpoch,uint64 expiry,uint256 nonce,uint256 deadline).
    /// @param networkId The network.
    /// @param account The customer.
    /// @param capPerEpoch The cap (0: revoke).
    /// @param expiry The expiry.
    /// @param nonce The customer's nonce.
    /// @param deadline The signature's deadline.
    /// @return The digest.
    function billingAuthorizationDigest(
        uint256 networkId,
        address account,
        uint128 capPerEpoch,
        uint64 expiry,
        uint256 nonce,
        uint256 deadline
    ) external view returns (bytes32);

    /// @notice Returned bonds of a challenger whose transfer failed, waiting for {withdrawBond}.
    /// @param networkId The network.
    /// @param challenger The challenger.
    /// @return The amount.
    function returnableBond(uint256 networkId, address challenger) external view returns (uint256);

    /// @notice The protocol fee rate applied to new statements.
    /// @return The rate in basis points.
    function protocolFeeBps() external view returns (uint16);

    /// @notice The protocol admin (sets the fee rate, withdraws protocol fees).
    /// @return The protocol admin.
    function protocolAdmin() external view returns (address);

    /// @notice The token a network's books are kept in, as cached on its first use (zero before).
    /// @param networkId The network.
    /// @return The token.
    function networkToken(uint256 networkId) external view returns (address);
}
