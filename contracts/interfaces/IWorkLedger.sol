// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IWorkLedger
/// @notice Verifiable node work for DePIN networks: networks with k-of-n verifier sets, a node
/// registry, and Merkle-batched epochs signed by the verifiers (EIP-712), with bonded challenges
/// ruled on by an independent arbiter, corrections while not yet Final, a finality cursor, and
/// `verifyRecord` / `recordStatus` views that any contract (an insurer's policy) can call.
/// @dev Trust model: a Final version never changes; verifier sets change only with k-of-n signatures
/// of the current set or through a public, delayed, arbiter-cancellable recovery; the arbiter is fixed
/// at creation and changed only by itself. Per-network REGISTRAR and BILLER roles live in OpenZeppelin
/// AccessControl under ids from {networkRole}; the network ADMIN role is their admin.
interface IWorkLedger {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice Lifecycle of an epoch version.
    /// None: never committed. Pending: inside its challenge window. Challenged: frozen until the
    /// arbiter resolves it or its deadline expires. Final: the window passed unchallenged (computed
    /// from `finalizesAt`, never stored) — a Final version never changes again. Voided: a challenge was
    /// upheld or expired. A superseded version keeps, frozen, the status it had when it was replaced.
    enum EpochStatus {
        None,
        Pending,
        Challenged,
        Final,
        Voided
    }

    /// @notice Parameters of a new network.
    struct NetworkParams {
        address admin; // Holds the network's ADMIN role (grants REGISTRAR/BILLER, pauses, sets the window, proposes recoveries)
        address token; // Payment token (ERC-20 stablecoin): escrow, charges and challenge bonds
        uint64 genesisTime; // Start of epoch 0 (unix seconds); 0 means the creation block's timestamp
        uint64 epochSeconds; // Length of one epoch in seconds (1..MAX_EPOCH_SECONDS)
        uint64 challengeWindow; // Seconds after a commit during which a version can be challenged (MIN..MAX_CHALLENGE_WINDOW)
        uint64 capacityPerNode; // Work units one node can deliver per epoch (0 = not declared)
        uint8 threshold; // k: distinct verifier signatures required on a commit (1 <= k <= n)
        string name; // Human name of the network (event only)
        string workUnit; // Label of the work unit, e.g. "GPU-seconds" (event only)
        address[] verifiers; // n distinct, non-zero verifier addresses
        address arbiter; // Rules on challenges; non-zero and not the admin; may be a contract (Safe, TimelockController)
        uint128 bond; // First challenge bond of a version, in `token` units (MIN_BOND..MAX_BOND)
        uint64 thawSeconds; // Withdrawal thaw (>= challengeWindow + arbiterDeadline + maxStatementEpochs * epochSeconds)
        uint64 arbiterDeadline; // Seconds the arbiter has to rule on a challenge (MIN..MAX_ARBITER_DEADLINE)
        uint32 maxStatementEpochs; // Most epochs one billing statement may cover (1..MAX_STATEMENT_EPOCHS)
    }

    /// @notice Stored configuration of a network (three slots: commits read all three and write slot 3).
    struct Network {
        address token; // Payment token
        uint64 genesisTime; // Start of epoch 0
        uint32 verifierSetId; // Current verifier set (counts from 1; each rotation increments it)
        // --- slot 2 ---
        uint64 epochSeconds; // Epoch length in seconds
        uint64 challengeWindow; // Challenge window for new commits and corrections, in seconds
        uint64 capacityPerNode; // Declared work units per node per epoch (0 = unknown)
        uint8 threshold; // Current k
        uint8 verifierCount; // Current n
        bool paused; // Paused by the network admin
        // --- slot 3 ---
        uint64 nextEpoch; // The only epoch number that may be committed next (commits are in order)
        uint64 finalizedCount; // Leading epochs (from 0) whose latest version is Final, as last advanced
    }

    /// @notice The summary of an epoch that verifiers sign. Every field is bound by the signature
    /// (EIP-712 type {epochCommitTypehash}).
    struct EpochSummary {
        bytes32 root; // StandardMerkleTree root of the epoch's work records (bytes32(0) when recordCount == 0)
        uint64 recordCount; // Number of work records (leaves)
        uint64 activeNodes; // Records with workUnits > 0
        uint128 totalWorkUnits; // Sum of workUnits
        uint128 totalRevenue; // Sum of revenue, in the token's smallest unit
        bytes32 dataHash; // keccak256 of the canonical records file (pins the whole data set)
        bytes32 usageRoot; // StandardMerkleTree root of the usage records (bytes32(0) when usageCount == 0)
        uint64 usageCount; // Number of usage records (one per customer)
        uint128 totalUsage; // Sum of usage amounts (0 when usageCount == 0)
    }

    /// @notice One version of an epoch, as the views return it. Storage keeps the root, one packed
    /// word (version, status, verifierSetId, committedAt, a timer, the window, the challenge count)
    /// and, only when non-zero, the usage root.
    struct EpochVersion {
        bytes32 root; // Merkle root of the work records of this version
        uint32 version; // 1 for the first commit, +1 per correction
        EpochStatus status; // Status now (latest version) or frozen when superseded
        uint32 verifierSetId; // The verifier set the commit was checked against
        uint64 committedAt; // Block timestamp of the commit
        uint64 finalizesAt; // Pending/Final: when it turns (turned) Final. Challenged, Voided: 0
        uint64 remainingWindow; // Challenged: seconds of window left when it was challenged; else 0
        uint64 challengeWindow; // The challenge window this version was committed with
        uint8 challenges; // Challenges opened against this version so far (at most MAX_CHALLENGES)
        bytes32 usageRoot; // Usage root of this version (bytes32(0) without usage)
    }

    /// @notice The open challenge of an epoch's latest version.
    struct Challenge {
        address challenger; // Who posted the bond (zero when no challenge is open)
        uint64 deadline; // The arbiter must rule before this time; from then on anyone may expire it
        uint128 bond; // Bond posted, held in the RevenueLedger's books as bond:<networkId>:<challenger>
    }

    /// @notice A work record: the Merkle leaf, ABI-encoded in this order and hashed as
    /// StandardMerkleTree does: keccak256(bytes.concat(keccak256(abi.encode(record fields)))).
    struct WorkRecord {
        bytes32 nodeId; // Node id
        uint64 epoch; // Epoch the work was done in
        uint64 workUnits; // Work units delivered
        uint16 uptimeBps; // Uptime in basis points (0..10000)
        uint128 revenue; // Revenue earned, token's smallest unit
        bytes32 evidence; // Hash of the raw telemetry bundle
    }

    /// @notice A usage record: the leaf of the usage tree, StandardMerkleTree over
    /// ["address","uint64","uint64","uint128","bytes32"].
    struct UsageRecord {
        address customer; // Customer that used the work
        uint64 epoch; // Epoch of the usage
        uint64 workUnits; // Work units used
        uint128 amount; // Amount owed, token's smallest unit
        bytes32 ref; // Reference (e.g. an invoice or order id)
    }

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice A network was created.
    /// @param networkId The new network's id.
    /// @param admin Holder of the network's ADMIN role.
    /// @param token The network's payment token.
    /// @param name Human name.
    /// @param workUnit Label of the work unit.
    /// @param genesisTime Start of epoch 0.
    /// @param epochSeconds Epoch length.
    /// @param challengeWindow Challenge window for the first commits.
    /// @param capacityPerNode Declared capacity per node per epoch.
    event NetworkCreated(
        uint256 indexed networkId,
        address indexed admin,
        address indexed token,
        string name,
        string workUnit,
        uint64 genesisTime,
        uint64 epochSeconds,
        uint64 challengeWindow,
        uint64 capacityPerNode
    );

    /// @notice The trust parameters of a network, fixed at its creation (emitted right after {NetworkCreated}).
    /// @param networkId The network.
    /// @param arbiter The arbiter.
    /// @param bond First challenge bond of a version.
    /// @param thawSeconds Thawing period of escrow withdrawals.
    /// @param arbiterDeadline Seconds the arbiter has to rule on a challenge.
    /// @param maxStatementEpochs Most epochs one billing statement may cover.
    event NetworkTrustSet(
        uint256 indexed networkId,
        address indexed arbiter,
        uint128 bond,
        uint64 thawSeconds,
        uint64 arbiterDeadline,
        uint32 maxStatementEpochs
    );

    /// @notice A verifier set became current for a network (at creation, on a signed rotation, on a recovery).
    /// @param networkId The network.
    /// @param verifierSetId The new set's id.
    /// @param verifiers Its members, in the order given.
    /// @param threshold Its k.
    event VerifierSetUpdated(uint256 indexed networkId, uint32 indexed verifierSetId, address[] verifiers, uint8 threshold);

    /// @notice The admin proposed a recovery rotation; it may be applied from `executableAt` unless the arbiter cancels it.
    /// @param networkId The network.
    /// @param verifierSetId The set id the proposal would create.
    /// @param verifiers Proposed members.
    /// @param threshold Proposed k.
    /// @param executableAt Earliest apply time under the parameters at proposal time (see {recoveryDelay}).
    /// @param proposer The admin that proposed.
    event RecoveryProposed(
        uint256 indexed networkId,
        uint32 indexed verifierSetId,
        address[] verifiers,
        uint8 threshold,
        uint64 executableAt,
        address proposer
    );

    /// @notice The arbiter cancelled the pending recovery proposal.
    /// @param networkId The network.
    /// @param verifierSetId The set id the proposal would have created.
    /// @param arbiter The arbiter that cancelled.
    event RecoveryCancelled(uint256 indexed networkId, uint32 indexed verifierSetId, address arbiter);

    /// @notice A recovery proposal was applied (its {VerifierSetUpdated} precedes this event).
    /// @param networkId The network.
    /// @param verifierSetId The new set's id.
    /// @param caller Who applied it.
    event RecoveryApplied(uint256 indexed networkId, uint32 indexed verifierSetId, address caller);

    /// @notice The challenge window for versions committed from now on changed.
    /// @param networkId The network.
    /// @param challengeWindow The new window in seconds.
    event ChallengeWindowUpdated(uint256 indexed networkId, uint64 challengeWindow);

    /// @notice The network was paused or unpaused by its admin.
    /// @param networkId The network.
    /// @param paused The new state.
    /// @param account The admin that changed it.
    event NetworkPauseSet(uint256 indexed networkId, bool paused, address account);

    /// @notice The arbiter nominated its successor, who must accept.
    /// @param networkId The network.
    /// @param arbiter The current arbiter.
    /// @param pendingArbiter The nominee.
    event ArbiterTransferStarted(uint256 indexed networkId, address indexed arbiter, address indexed pendingArbiter);

    /// @notice The nominee accepted and is now the arbiter.
    /// @param networkId The network.
    /// @param previousArbiter The former arbiter.
    /// @param arbiter The new arbiter.
    event ArbiterTransferred(uint256 indexed networkId, address indexed previousArbiter, address indexed arbiter);

    /// @notice The deployer wired the RevenueLedger that holds challenge bonds (once).
    /// @param revenueLedger The RevenueLedger.
    event RevenueLedgerSet(address indexed revenueLedger);

    /// @notice A node was registered.
    /// @param networkId The network.
    /// @param nodeId The node.
    /// @param operator Its operator.
    event NodeRegistered(uint256 indexed networkId, bytes32 indexed nodeId, address indexed operator);

    /// @notice A node was deactivated.
    /// @param networkId The network.
    /// @param nodeId The node.
    /// @param account The registrar or operator that deactivated it.
    event NodeDeactivated(uint256 indexed networkId, bytes32 indexed nodeId, address account);

    /// @notice An epoch version was committed (version 1) or superseded by a correction (version > 1).
    /// Its usage words, when it has usage, follow in {EpochUsageCommitted} (an epoch without usage pays
    /// for no usage words in its log).
    /// @param networkId The network.
    /// @param epoch The epoch.
    /// @param version The new version.
    /// @param root Work-record root.
    /// @param recordCount Number of work records.
    /// @param activeNodes Records with work.
    /// @param totalWorkUnits Sum of work units.
    /// @param totalRevenue Sum of revenue.
    /// @param dataHash Hash of the canonical records file.
    /// @param verifierSetId The verifier set the signatures were checked against.
    /// @param finalizesAt When the version turns Final if unchallenged.
    /// @param signers The recovered signers, ascending.
    event EpochCommitted(
        uint256 indexed networkId,
        uint64 indexed epoch,
        uint32 indexed version,
        bytes32 root,
        uint64 recordCount,
        uint64 activeNodes,
        uint128 totalWorkUnits,
        uint128 totalRevenue,
        bytes32 dataHash,
        uint32 verifierSetId,
        uint64 finalizesAt,
        address[] signers
    );

    /// @notice The usage words of a version that has usage (emitted right after its {EpochCommitted}; never
    /// for a version without usage, whose words are zero).
    /// @param networkId The network.
    /// @param epoch The epoch.
    /// @param version The version.
    /// @param usageRoot Root of the usage tree.
    /// @param usageCount Number of usage records.
    /// @param totalUsage Sum of usage amounts.
    event EpochUsageCommitted(
        uint256 indexed networkId,
        uint64 indexed epoch,
        uint32 indexed version,
        bytes32 usageRoot,
        uint64 usageCount,
        uint128 totalUsage
    );

    /// @notice A correction superseded an earlier version; `reasonHash` says why.
    /// @param networkId The network.
    /// @param epoch The epoch.
    /// @param version The new version.
    /// @param supersededVersion The version it replaced.
    /// @param reasonHash Hash of the reason text.
    event EpochCorrected(
        uint256 indexed networkId, uint64 indexed epoch, uint32 indexed version, uint32 supersededVersion, bytes32 reasonHash
    );

    /// @notice A Pending version was challenged with a bond and is frozen until ruled on or expired.
    /// @param networkId The network.
    /// @param epoch The epoch.
    /// @param version The challenged (latest) version.
    /// @param challenger Who posted the bond.
    /// @param bond The bond, now in the RevenueLedger's books.
    /// @param deadline The arbiter must rule before this time.
    /// @param reasonHash Hash of the challenger's reason.
    event EpochChallenged(
        uint256 indexed networkId,
        uint64 indexed epoch,
        uint32 indexed version,
        address challenger,
        uint128 bond,
        uint64 deadline,
        bytes32 reasonHash
    );

    /// @notice The arbiter ruled: upheld (Voided, bond returned) or rejected (bond forfeited to the
    /// network's revenue, Pending again until `finalizesAt`).
    /// @param networkId The network.
    /// @param epoch The epoch.
    /// @param version The version ruled on.
    /// @param upheld True when the challenge was upheld.
    /// @param arbiter The arbiter.
    /// @param finalizesAt Rejected: the new finalizesAt. Upheld: 0.
    event ChallengeResolved(
        uint256 indexed networkId, uint64 indexed epoch, uint32 indexed version, bool upheld, address arbiter, uint64 finalizesAt
    );

    /// @notice The arbiter missed its deadline: the version is Voided and the bond returned.
    /// @param networkId The network.
    /// @param epoch The epoch.
    /// @param version The version.
    /// @param caller Who called the expiry.
    event ChallengeExpired(uint256 indexed networkId, uint64 indexed epoch, uint32 indexed version, address caller);

    /// @notice The finality cursor advanced.
    /// @param networkId The network.
    /// @param fromCount The previous finalizedCount.
    /// @param toCount The new finalizedCount.
    event FinalityAdvanced(uint256 indexed networkId, uint64 fromCount, uint64 toCount);

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice No network with this id.
    /// @param networkId The id given.
    error WorkLedgerUnknownNetwork(uint256 networkId);
    /// @notice The caller lacks the network role needed.
    /// @param networkId The network.
    /// @param account The caller.
    /// @param role The AccessControl role id, {networkRole}(networkId, kind).
    error WorkLedgerUnauthorized(uint256 networkId, address account, bytes32 role);
    /// @notice Only the network's arbiter may do this.
    /// @param networkId The network.
    /// @param account The caller.
    error WorkLedgerNotArbiter(uint256 networkId, address account);
    /// @notice Only the nominated arbiter may accept.
    /// @param networkId The network.
    /// @param account The caller.
    error WorkLedgerNotPendingArbiter(uint256 networkId, address account);
    /// @notice The arbiter would be an admin of the network (at creation: the admin; on transfer: an ADMIN role holder).
    /// @param networkId The network (0 at creation).
    /// @param arbiter The address refused.
    error WorkLedgerArbiterIsAdmin(uint256 networkId, address arbiter);
    /// @notice The network is paused.
    /// @param networkId The network.
    error WorkLedgerNetworkPaused(uint256 networkId);
    /// @notice The network is not paused (unpause of an active network).
    /// @param networkId The network.
    error WorkLedgerNetworkNotPaused(uint256 networkId);
    /// @notice A zero address where one is required.
    /// @param field The parameter's name (admin, token, arbiter, operator).
    error WorkLedgerZeroAddress(string field);
    /// @notice Epoch length of zero or above MAX_EPOCH_SECONDS.
    /// @param epochSeconds The value given.
    error WorkLedgerInvalidEpochSeconds(uint64 epochSeconds);
    /// @notice Challenge window outside MIN_CHALLENGE_WINDOW..MAX_CHALLENGE_WINDOW.
    /// @param challengeWindow The value given.
    error WorkLedgerInvalidChallengeWindow(uint64 challengeWindow);
    /// @notice Bond outside MIN_BOND..MAX_BOND.
    /// @param bond The value given.
    error WorkLedgerInvalidBond(uint256 bond);
    /// @notice Arbiter deadline outside MIN_ARBITER_DEADLINE..MAX_ARBITER_DEADLINE.
    /// @param arbiterDeadline The value given.
    error WorkLedgerInvalidArbiterDeadline(uint64 arbiterDeadline);
    /// @notice maxStatementEpochs outside 1..MAX_STATEMENT_EPOCHS.
    /// @param maxStatementEpochs The value given.
    error WorkLedgerInvalidMaxStatementEpochs(uint256 maxStatementEpochs);
    /// @notice thawSeconds < challengeWindow + arbiterDeadline + maxStatementEpochs * epochSeconds (DESIGN rule 6).
    /// @param thawSeconds The network's (or given) thaw.
    /// @param required The smallest thaw the window, deadline and statement length allow.
    error WorkLedgerThawTooShort(uint64 thawSeconds, uint256 required);
    /// @notice Threshold outside 1..n (or n > 255, or n == 0).
    /// @param threshold The k given.
    /// @param verifierCount The n given.
    error WorkLedgerInvalidThreshold(uint256 threshold, uint256 verifierCount);
    /// @notice A verifier list contains the zero address.
    /// @param index Its position.
    error WorkLedgerZeroVerifier(uint256 index);
    /// @notice A verifier list contains the same address twice.
    /// @param verifier The repeated address.
    error WorkLedgerDuplicateVerifier(address verifier);
    /// @notice The node is already registered on this network.
    /// @param networkId The network.
    /// @param nodeId The node.
    error WorkLedgerNodeAlreadyRegistered(uint256 networkId, bytes32 nodeId);
    /// @notice The node is not registered (or already deactivated).
    /// @param networkId The network.
    /// @param nodeId The node.
    error WorkLedgerUnknownNode(uint256 networkId, bytes32 nodeId);
    /// @notice Epochs are committed in order.
    /// @param networkId The network.
    /// @param epoch The epoch given.
    /// @param expected The next epoch.
    error WorkLedgerEpochOutOfOrder(uint256 networkId, uint64 epoch, uint64 expected);
    /// @notice The epoch has not ended yet (block time < its end).
    /// @param networkId The network.
    /// @param epoch The epoch.
    /// @param endsAt When it ends.
    error WorkLedgerEpochNotEnded(uint256 networkId, uint64 epoch, uint64 endsAt);
    /// @notice The epoch was never committed.
    /// @param networkId The network.
    /// @param epoch The epoch.
    error WorkLedgerUnknownEpoch(uint256 networkId, uint64 epoch);
    /// @notice The summary is inconsistent: root and recordCount disagree about being zero, activeNodes >
    /// recordCount, usageRoot and usageCount disagree about being zero, or totalUsage without usage records.
    /// @param networkId The network.
    /// @param epoch The epoch.
    error WorkLedgerInvalidSummary(uint256 networkId, uint64 epoch);
    /// @notice Fewer signatures than the threshold.
    /// @param provided Signatures given.
    /// @param threshold k.
    error WorkLedgerBelowThreshold(uint256 provided, uint256 threshold);
    /// @notice A signature could not be recovered (wrong length, high-s, zero address).
    /// @param index Its position.
    error WorkLedgerInvalidSignature(uint256 index);
    /// @notice A recovered signer is not in the verifier set the signatures are checked against.
    /// @param signer The signer.
    error WorkLedgerNotVerifier(address signer);
    /// @notice The same signer appears twice.
    /// @param signer The signer.
    error WorkLedgerDuplicateSigner(address signer);
    /// @notice Signers must be sorted by strictly ascending address.
    /// @param previous The signer before.
    /// @param signer The out-of-order signer.
    error WorkLedgerSignersUnsorted(address previous, address signer);
    /// @notice The latest version's status does not allow the operation: a challenge needs Pending, a
    /// ruling or expiry needs Challenged, a correction needs Pending or Voided.
    /// @param networkId The network.
    /// @param epoch The epoch.
    /// @param status The status now.
    error WorkLedgerInvalidEpochStatus(uint256 networkId, uint64 epoch, EpochStatus status);
    /// @notice The version does not exist for this epoch.
    /// @param networkId The network.
    /// @param epoch The epoch.
    /// @param version The version given.
    error WorkLedgerUnknownVersion(uint256 networkId, uint64 epoch, uint32 version);
    /// @notice The version was challenged MAX_CHALLENGES times already.
    /// @param networkId The network.
    /// @param epoch The epoch.
    /// @param version The version.
    error WorkLedgerTooManyChallenges(uint256 networkId, uint64 epoch, uint32 version);
    /// @notice The arbiter's deadline for this challenge has passed: only {expireChallenge} is left.
    /// @param networkId The network.
    /// @param epoch The epoch.
    /// @param deadline The deadline.
    error WorkLedgerChallengeDeadlinePassed(uint256 networkId, uint64 epoch, uint64 deadline);
    /// @notice The arbiter's deadline has not passed yet: the challenge cannot be expired.
    /// @param networkId The network.
    /// @param epoch The epoch.
    /// @param deadline The deadline.
    error WorkLedgerChallengeNotExpired(uint256 networkId, uint64 epoch, uint64 deadline);
    /// @notice No recovery proposal is pending.
    /// @param networkId The network.
    error WorkLedgerNoRecovery(uint256 networkId);
    /// @notice The recovery delay has not passed.
    /// @param networkId The network.
    /// @param executableAt When it may be applied.
    error WorkLedgerRecoveryNotReady(uint256 networkId, uint64 executableAt);
    /// @notice The verifiers and threshold given are not the ones proposed.
    /// @param networkId The network.
    error WorkLedgerRecoveryMismatch(uint256 networkId);
    /// @notice The verifier set changed since the proposal (a signed rotation went first).
    /// @param networkId The network.
    /// @param proposedSetId The set id the proposal would create.
    /// @param currentSetId The current set id.
    error WorkLedgerRecoveryStale(uint256 networkId, uint32 proposedSetId, uint32 currentSetId);
    /// @notice Only the deployer may wire the RevenueLedger.
    /// @param account The caller.
    error WorkLedgerNotDeployer(address account);
    /// @notice The RevenueLedger is wired already (wiring happens once).
    /// @param revenueLedger The RevenueLedger already wired.
    error WorkLedgerRevenueLedgerAlreadySet(address revenueLedger);
    /// @notice The RevenueLedger given does not read this WorkLedger (or is not a RevenueLedger, or is zero).
    /// @param revenueLedger The address given.
    error WorkLedgerRevenueLedgerMismatch(address revenueLedger);
    /// @notice No RevenueLedger is wired yet, so no bond can be posted.
    error WorkLedgerRevenueLedgerNotSet();

    /*//////////////////////////////////////////////////////////////
                                 NETWORKS
    //////////////////////////////////////////////////////////////*/

    /// @notice Create a network. Ids count from 1. The caller needs no role; `params.admin` gets only the
    /// network's ADMIN role (the admin role of ADMIN, REGISTRAR and BILLER): it grants registrar and biller
    /// explicitly, to itself or others. `params.arbiter` is stored as the arbiter (not an AccessControl role).
    /// @param params The network's parameters (see {NetworkParams} for every bound).
    /// @return networkId The new network's id.
    function createNetwork(NetworkParams calldata params) external returns (uint256 networkId);

    /// @notice Replace the verifier set with one signed by at least k of the current set (anyone may relay).
    /// The signed struct is VerifierRotation(networkId, verifierSetId = current + 1, verifiers, threshold)
    /// under this contract's EIP-712 domain; signatures in ascending signer order. Clears nothing that was
    /// committed: every version keeps the verifierSetId it was checked against.
    /// @param networkId The network.
    /// @param verifiers The new members (distinct, non-zero).
    /// @param threshold The new k (1..n).
    /// @param signatures Signatures of current verifiers over {verifierRotationDigest}.
    function rotateVerifiers(
        uint256 networkId,
        address[] calldata verifiers,
        uint8 threshold,
        bytes[] calldata signatures
    ) external;

    /// @notice Propose a recovery rotation for a lost verifier set (admin only). It replaces any pending
    /// proposal (restarting the delay) and can be applied after {recoveryDelay} unless the arbiter cancels it.
    /// @param networkId The network.
    /// @param verifiers The proposed members.
    /// @param threshold The proposed k.
    function proposeRecovery(uint256 networkId, address[] calldata verifiers, uint8 threshold) external;

    /// @notice Cancel the pending recovery proposal (arbiter only).
    /// @param networkId The network.
    function cancelRecovery(uint256 networkId) external;

    /// @notice Apply the pending recovery proposal once its delay has passed (anyone), naming its members
    /// and threshold exactly as proposed.
    /// @param networkId The network.
    /// @param verifiers The proposed members.
    /// @param threshold The proposed k.
    function applyRecovery(uint256 networkId, address[] calldata verifiers, uint8 threshold) external;

    /// @notice Change the challenge window for versions committed from now on (admin only). Committed
    /// versions keep theirs. Reverts outside MIN..MAX_CHALLENGE_WINDOW or when the thaw would be too short.
    /// @param networkId The network.
    /// @param challengeWindow The new window in seconds.
    function setChallengeWindow(uint256 networkId, uint64 challengeWindow) external;

    /// @notice Pause or unpause a network (admin only). Paused stops only commitEpoch, registerNode and
    /// RevenueLedger charges; challenges, rulings, expiries, corrections, rotations and bonds keep working.
    /// @param networkId The network.
    /// @param paused The new state.
    function setPaused(uint256 networkId, bool paused) external;

    /// @notice Nominate the next arbiter (current arbiter only); the nominee must {acceptArbiter}.
    /// @param networkId The network.
    /// @param newArbiter The nominee (non-zero, not an ADMIN role holder).
    function transferArbiter(uint256 networkId, address newArbiter) external;

    /// @notice Accept the arbiter nomination (the nominee only).
    /// @param networkId The network.
    function acceptArbiter(uint256 networkId) external;

    /// @notice Wire the RevenueLedger that holds challenge bonds (the deployer only, once). The
    /// RevenueLedger must name this contract as its WorkLedger.
    /// @param revenueLedger The RevenueLedger.
    function setRevenueLedger(address revenueLedger) external;

    /// @notice The RevenueLedger wired by {setRevenueLedger} (zero before).
    /// @return The RevenueLedger's address.
    function revenueLedger() external view returns (address);

    /// @notice The network's stored configuration. Reverts for an unknown network.
    /// @param networkId The network.
    /// @return The configuration.
    function network(uint256 networkId) external view returns (Network memory);

    /// @notice Number of networks created (ids are 1..networkCount).
    /// @return The count.
    function networkCount() external view returns (uint256);

    /// @notice The network's arbiter (zero for an unknown network).
    /// @param networkId The network.
    /// @return The arbiter.
    function arbiterOf(uint256 networkId) external view returns (address);

    /// @notice The arbiter's nominee awaiting acceptance (zero if none).
    /// @param networkId The network.
    /// @return The nominee.
    function pendingArbiterOf(uint256 networkId) external view returns (address);

    /// @notice The network's first challenge bond of a version (0 for an unknown network).
    /// @param networkId The network.
    /// @return The bond in token units.
    function bondOf(uint256 networkId) external view returns (uint128);

    /// @notice The network's thawing period of escrow withdrawals (0 for an unknown network).
    /// @param networkId The network.
    /// @return Seconds.
    function thawSecondsOf(uint256 networkId) external view returns (uint64);

    /// @notice Seconds the arbiter has to rule on a challenge (0 for an unknown network).
    /// @param networkId The network.
    /// @return Seconds.
    function arbiterDeadlineOf(uint256 networkId) external view returns (uint64);

    /// @notice Most epochs one billing statement may cover (0 for an unknown network).
    /// @param networkId The network.
    /// @return Epochs.
    function maxStatementEpochsOf(uint256 networkId) external view returns (uint32);

    /// @notice The number of leading epochs (from epoch 0) whose latest version is Final, as last
    /// advanced by {advanceFinality} (0 = none; 0 for an unknown network).
    /// @param networkId The network.
    /// @return The cursor.
    function finalizedCount(uint256 networkId) external view returns (uint64);

    /// @notice The recovery delay now: max(7 days, 2 * challengeWindow, thawSeconds + 1 day).
    /// @param networkId The network.
    /// @return Seconds.
    function recoveryDelay(uint256 networkId) external view returns (uint64);

    /// @notice The pending recovery proposal (all zero if none).
    /// @param networkId The network.
    /// @return setHash keccak256(abi.encode(verifiers, threshold)) of the proposal.
    /// @return verifierSetId The set id it would create.
    /// @return proposedAt When it was proposed.
    /// @return executableAt When it may be applied, under the current parameters.
    function recoveryProposal(uint256 networkId)
        external
        view
        returns (bytes32 setHash, uint32 verifierSetId, uint64 proposedAt, uint64 executableAt);

    /// @notice Whether `account` is a verifier of the given set.
    /// @param networkId The network.
    /// @param verifierSetId The set.
    /// @param account The address.
    /// @return True for a member.
    function isVerifier(uint256 networkId, uint32 verifierSetId, address account) external view returns (bool);

    /// @notice The members (in the order given) and threshold of a verifier set (empty, 0 if unknown).
    /// @param networkId The network.
    /// @param verifierSetId The set.
    /// @return verifiers The members.
    /// @return threshold The k.
    function verifierSet(uint256 networkId, uint32 verifierSetId)
        external
        view
        returns (address[] memory verifiers, uint8 threshold);

    /// @notice The AccessControl role id of a network role: keccak256(abi.encode(networkId, kind)).
    /// @param networkId The network.
    /// @param kind The role kind (see NetworkRoles).
    /// @return The role id.
    function networkRole(uint256 networkId, bytes32 kind) external pure returns (bytes32);

    /// @notice Whether `account` holds the network role `kind` (ADMIN, REGISTRAR, BILLER); for ARBITER,
    /// whether it is the network's arbiter.
    /// @param networkId The network.
    /// @param kind The role kind.
    /// @param account The address.
    /// @return True when it holds it.
    function hasNetworkRole(uint256 networkId, bytes32 kind, address account) external view returns (bool);

    /// @notice Start and end (exclusive) of an epoch, in unix seconds. Reverts for an unknown network.
    /// @param networkId The network.
    /// @param epoch The epoch.
    /// @return start Start of the epoch.
    /// @return end End of the epoch (exclusive).
    function epochBounds(uint256 networkId, uint64 epoch) external view returns (uint64 start, uint64 end);

    /*//////////////////////////////////////////////////////////////
                                 NODES
    //////////////////////////////////////////////////////////////*/

    /// @notice Register a node with its operator (registrar role; not while paused).
    /// @param networkId The network.
    /// @param nodeId The node.
    /// @param operator Its operator.
    function registerNode(uint256 networkId, bytes32 nodeId, address operator) external;

    /// @notice Deactivate a node (registrar role or the node's operator).
    /// @param networkId The network.
    /// @param nodeId The node.
    function deactivateNode(uint256 networkId, bytes32 nodeId) external;

    /// @notice A node's operator and whether it is active.
    /// @param networkId The network.
    /// @param nodeId The node.
    /// @return operator The operator (zero if never registered).
    /// @return active Whether it is active.
    function node(uint256 networkId, bytes32 nodeId) external view returns (address operator, bool active);

    /*//////////////////////////////////////////////////////////////
                                 EPOCHS
    //////////////////////////////////////////////////////////////*/

    /// @notice The EIP-712 typehash of EpochCommit: keccak256 of {TypeHashes-EPOCH_COMMIT_TYPE}.
    /// @return The typehash.
    function epochCommitTypehash() external pure returns (bytes32);

    /// @notice The EIP-712 typehash of VerifierRotation: keccak256 of {TypeHashes-VERIFIER_ROTATION_TYPE}.
    /// @return The typehash.
    function verifierRotationTypehash() external pure returns (bytes32);

    /// @notice The EIP-712 digest the verifiers sign for (networkId, epoch, version, summary).
    /// @param networkId The network.
    /// @param epoch The epoch.
    /// @param version The version the commit creates.
    /// @param summary The summary.
    /// @return The digest `ecrecover` is checked against.
    function epochCommitDigest(uint256 networkId, uint64 epoch, uint32 version, EpochSummary calldata summary)
        external
        view
        returns (bytes32);

    /// @notice The EIP-712 digest the current verifiers sign to rotate to (verifiers, threshold) as set `verifierSetId`.
    /// @param networkId The network.
    /// @param verifierSetId The new set's id (current + 1 to be accepted).
    /// @param verifiers The new members.
    /// @param threshold The new k.
    /// @return The digest.
    function verifierRotationDigest(
        uint256 networkId,
        uint32 verifierSetId,
        address[] calldata verifiers,
        uint8 threshold
    ) external view returns (bytes32);

    /// @notice Commit the next epoch of a network (anyone may relay; not while paused). Needs at least
    /// `threshold` distinct current verifiers' signatures in ascending signer order. Does not move the
    /// finality cursor.
    /// @param networkId The network.
    /// @param epoch The epoch (must be `nextEpoch`, and ended).
    /// @param summary The signed summary.
    /// @param signatures The signatures over {epochCommitDigest} with version 1.
    function commitEpoch(uint256 networkId, uint64 epoch, EpochSummary calldata summary, bytes[] calldata signatures)
        external;

    /// @notice Supersede the latest version of an epoch with a newly signed summary at version + 1 (anyone
    /// may relay k-of-n current-verifier signatures). Only while the latest version is Pending or Voided:
    /// never Final, never Challenged. The new version is Pending for the full current window.
    /// @param networkId The network.
    /// @param epoch The epoch.
    /// @param summary The new signed summary.
    /// @param signatures The signatures over {epochCommitDigest} with version = latest + 1.
    /// @param reasonHash Hash of the reason (event only).
    function correctEpoch(
        uint256 networkId,
        uint64 epoch,
        EpochSummary calldata summary,
        bytes[] calldata signatures,
        bytes32 reasonHash
    ) external;

    /// @notice Challenge the Pending latest version of an epoch (anyone). The RevenueLedger pulls the bond
    /// ({nextBond}) from the caller's wallet (approve the RevenueLedger first). One open challenge per
    /// version; at most MAX_CHALLENGES per version.
    /// @param networkId The network.
    /// @param epoch The epoch.
    /// @param reasonHash Hash of the reason (event only).
    function challengeEpoch(uint256 networkId, uint64 epoch, bytes32 reasonHash) external;

    /// @notice Rule on the open challenge before its deadline (arbiter only). Upheld: Voided and the bond
    /// returned. Rejected: the bond goes to the network's revenue (booked on this epoch) and the version is
    /// Pending again with the window time that was left when it was challenged.
    /// @param networkId The network.
    /// @param epoch The epoch.
    /// @param upheld True to uphold.
    function resolveChallenge(uint256 networkId, uint64 epoch, bool upheld) external;

    /// @notice Expire a challenge the arbiter did not rule on by its deadline (anyone): Voided, bond returned.
    /// @param networkId The network.
    /// @param epoch The epoch.
    function expireChallenge(uint256 networkId, uint64 epoch) external;

    /// @notice Advance the finality cursor over at most `maxSteps` epochs whose latest version is Final
    /// (anyone). Stops at the first epoch that is uncommitted, Pending, Challenged or Voided.
    /// @param networkId The network.
    /// @param maxSteps Most epochs to examine.
    /// @return The new finalizedCount.
    function advanceFinality(uint256 networkId, uint64 maxSteps) external returns (uint64);

    /// @notice The open challenge of an epoch's latest version (all zero when none is open).
    /// @param networkId The network.
    /// @param epoch The epoch.
    /// @return The challenge.
    function challengeOf(uint256 networkId, uint64 epoch) external view returns (Challenge memory);

    /// @notice The bond the next challenge of the epoch's latest version needs: bond << (challenges so far).
    /// @param networkId The network.
    /// @param epoch The epoch.
    /// @return The bond (0 for an unknown network).
    function nextBond(uint256 networkId, uint64 epoch) external view returns (uint128);

    /// @notice Status and latest version of an epoch (None, 0 for an unknown network or epoch; never reverts).
    /// @param networkId The network.
    /// @param epoch The epoch.
    /// @return status The latest version's status now.
    /// @return version The latest version.
    function epochStatus(uint256 networkId, uint64 epoch) external view returns (EpochStatus status, uint32 version);

    /// @notice The latest version of an epoch. Reverts with {WorkLedgerUnknownEpoch} if never committed.
    /// @param networkId The network.
    /// @param epoch The epoch.
    /// @return The version.
    function latestEpoch(uint256 networkId, uint64 epoch) external view returns (EpochVersion memory);

    /// @notice Any version of an epoch (1..latest). Reverts with {WorkLedgerUnknownVersion}.
    /// @param networkId The network.
    /// @param epoch The epoch.
    /// @param version The version.
    /// @return The version's data.
    function epochVersion(uint256 networkId, uint64 epoch, uint32 version) external view returns (EpochVersion memory);

    /// @notice Whether the epoch's latest version is Final.
    /// @param networkId The network.
    /// @param epoch The epoch.
    /// @return True when Final.
    function isFinal(uint256 networkId, uint64 epoch) external view returns (bool);

    /// @notice True only when `record.epoch == epoch`, `proof` proves `record` against the root of the
    /// epoch's latest version, and that version is Final. False (never a revert) otherwise, including an
    /// unknown network or epoch.
    /// @param networkId The network.
    /// @param epoch The epoch.
    /// @param record The work record.
    /// @param proof Its Merkle proof.
    /// @return True for a record under a Final latest version.
    function verifyRecord(uint256 networkId, uint64 epoch, WorkRecord calldata record, bytes32[] calldata proof)
        external
        view
        returns (bool);

    /// @notice For callers that accept data that is not Final yet: whether `proof` proves `record` (with
    /// `record.epoch == epoch`) against the root of the epoch's latest version, and that version's status
    /// and number. Never reverts (an unknown network or epoch gives false, None, 0).
    /// @param networkId The network.
    /// @param epoch The epoch.
    /// @param record The work record.
    /// @param proof Its Merkle proof.
    /// @return included Whether the record is under the latest version's root.
    /// @return status The latest version's status now.
    /// @return version The latest version.
    function recordStatus(uint256 networkId, uint64 epoch, WorkRecord calldata record, bytes32[] calldata proof)
        external
        view
        returns (bool included, EpochStatus status, uint32 version);

    /// @notice True only when `usage.epoch == epoch`, `proof` proves `usage` against the usage root of the
    /// epoch's latest version, and that version is Final. False (never a revert) otherwise.
    /// @param networkId The network.
    /// @param epoch The epoch.
    /// @param usage The usage record.
    /// @param proof Its Merkle proof.
    /// @return True for a usage record under a Final latest version.
    function verifyUsage(uint256 networkId, uint64 epoch, UsageRecord calldata usage, bytes32[] calldata proof)
        external
        view
        returns (bool);
}
