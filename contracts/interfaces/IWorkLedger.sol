// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IWorkLedger
/// @notice Verifiable node work for DePIN networks: networks with k-of-n verifier sets, a node
/// registry, and Merkle-batched epochs signed by the verifiers (EIP-712), with challenges,
/// corrections and a `verifyRecord` view that any contract (an insurer's policy) can call.
/// @dev Per-network roles live in OpenZeppelin AccessControl under ids from {networkRole}.
interface IWorkLedger {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice Lifecycle of an epoch version.
    /// None: never committed. Pending: inside its challenge window. Challenged: frozen until the
    /// arbiter resolves it. Final: the window passed unchallenged (computed from `finalizesAt`, never
    /// stored). Voided: a challenge was upheld. A superseded version keeps, frozen, the status it had
    /// when the correction replaced it.
    enum EpochStatus {
        None,
        Pending,
        Challenged,
        Final,
        Voided
    }

    /// @notice Parameters of a new network.
    struct NetworkParams {
        address admin; // Holds the network's admin role (rotates verifiers, pauses, grants roles)
        address token; // Payment token (ERC-20 stablecoin) used by the RevenueLedger for this network
        uint64 genesisTime; // Start of epoch 0 (unix seconds); 0 means the creation block's timestamp
        uint64 epochSeconds; // Length of one epoch in seconds (> 0)
        uint64 challengeWindow; // Seconds after a commit during which the epoch can be challenged
        uint64 capacityPerNode; // Work units one node can deliver per epoch (0 = not declared)
        uint8 threshold; // k: distinct verifier signatures required on a commit (1 <= k <= n)
        string name; // Human name of the network (event only)
        string workUnit; // Label of the work unit, e.g. "GPU-seconds" (event only)
        address[] verifiers; // n distinct, non-zero verifier addresses
    }

    /// @notice Stored configuration of a network (three slots: commits read all three and write slot 3).
    struct Network {
        address token; // Payment token
        uint64 genesisTime; // Start of epoch 0
        uint32 verifierSetId; // Current verifier set (counts from 1; rotation increments it)
        // --- slot 2 ---
        uint64 epochSeconds; // Epoch length in seconds
        uint64 challengeWindow; // Challenge window for new commits, in seconds
        uint64 capacityPerNode; // Declared work units per node per epoch (0 = unknown)
        uint8 threshold; // Current k
        uint8 verifierCount; // Current n
        bool paused; // Paused by the network admin
        // --- slot 3 ---
        uint64 nextEpoch; // The only epoch number that may be committed next (commits are in order)
    }

    /// @notice The summary of an epoch that verifiers sign. Every field is bound by the signature.
    struct EpochSummary {
        bytes32 root; // StandardMerkleTree root of the epoch's records (bytes32(0) when recordCount == 0)
        uint64 recordCount; // Number of records (leaves)
        uint64 activeNodes; // Records with workUnits > 0
        uint128 totalWorkUnits; // Sum of workUnits
        uint128 totalRevenue; // Sum of revenue, in the token's smallest unit
        bytes32 dataHash; // keccak256 of the canonical records file (pins the whole data set)
    }

    /// @notice One version of an epoch, as the views return it. Storage packs it into two slots: the
    /// root, and one word with version, status, verifierSetId, committedAt and a single timer that
    /// holds `finalizesAt` (Pending, Final) or `remainingWindow` (Challenged).
    struct EpochVersion {
        bytes32 root; // Merkle root of this version
        uint32 version; // 1 for the first commit, +1 per correction
        EpochStatus status; // Stored status (Pending is reported as Final once finalizesAt has passed)
        uint32 verifierSetId; // The verifier set the commit was checked against
        uint64 committedAt; // Block timestamp of the commit
        uint64 finalizesAt; // Pending/Final: when it turns (turned) Final. Challenged, Voided: 0
        uint64 remainingWindow; // Challenged: seconds of window left when it was challenged; else 0
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

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice A network was created.
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

    /// @notice A verifier set became current for a network (at creation and on every rotation).
    event VerifierSetUpdated(uint256 indexed networkId, uint32 indexed verifierSetId, address[] verifiers, uint8 threshold);

    /// @notice The challenge window for future commits changed.
    event ChallengeWindowUpdated(uint256 indexed networkId, uint64 challengeWindow);

    /// @notice The network was paused or unpaused by its admin.
    event NetworkPauseSet(uint256 indexed networkId, bool paused, address account);

    /// @notice A node was registered.
    event NodeRegistered(uint256 indexed networkId, bytes32 indexed nodeId, address indexed operator);

    /// @notice A node was deactivated.
    event NodeDeactivated(uint256 indexed networkId, bytes32 indexed nodeId, address account);

    /// @notice An epoch version was committed (version 1) or superseded by a correction (version > 1).
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

    /// @notice A correction superseded an earlier version; `reasonHash` says why.
    event EpochCorrected(
        uint256 indexed networkId,
        uint64 indexed epoch,
        uint32 indexed version,
        uint32 supersededVersion,
        bytes32 reasonHash
    );

    /// @notice A pending epoch was challenged and is frozen.
    event EpochChallenged(
        uint256 indexed networkId,
        uint64 indexed epoch,
        uint32 indexed version,
        address challenger,
        bytes32 reasonHash
    );

    /// @notice The arbiter resolved a challenge: upheld (Voided) or rejected (Pending again until finalizesAt).
    event ChallengeResolved(
        uint256 indexed networkId,
        uint64 indexed epoch,
        uint32 indexed version,
        bool upheld,
        address arbiter,
        uint64 finalizesAt
    );

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice No network with this id.
    error WorkLedgerUnknownNetwork(uint256 networkId);
    /// @notice The caller lacks the network role needed (`role` is the AccessControl role id,
    /// {networkRole}(networkId, kind)).
    error WorkLedgerUnauthorized(uint256 networkId, address account, bytes32 role);
    /// @notice The network is paused.
    error WorkLedgerNetworkPaused(uint256 networkId);
    /// @notice The network is not paused (unpause of an active network).
    error WorkLedgerNetworkNotPaused(uint256 networkId);
    /// @notice A zero address where one is required (admin, token, operator).
    error WorkLedgerZeroAddress(string field);
    /// @notice Epoch length of zero or above MAX_EPOCH_SECONDS (366 days).
    error WorkLedgerInvalidEpochSeconds(uint64 epochSeconds);
    /// @notice Challenge window above MAX_CHALLENGE_WINDOW (366 days).
    error WorkLedgerInvalidChallengeWindow(uint64 challengeWindow);
    /// @notice Threshold outside 1..n (or n > 255, or n == 0).
    error WorkLedgerInvalidThreshold(uint256 threshold, uint256 verifierCount);
    /// @notice A verifier list contains the zero address.
    error WorkLedgerZeroVerifier(uint256 index);
    /// @notice A verifier list contains the same address twice.
    error WorkLedgerDuplicateVerifier(address verifier);
    /// @notice The node is already registered on this network.
    error WorkLedgerNodeAlreadyRegistered(uint256 networkId, bytes32 nodeId);
    /// @notice The node is not registered (or already deactivated).
    error WorkLedgerUnknownNode(uint256 networkId, bytes32 nodeId);
    /// @notice Epochs are committed in order: `expected` is the next one.
    error WorkLedgerEpochOutOfOrder(uint256 networkId, uint64 epoch, uint64 expected);
    /// @notice The epoch has not ended yet (block time < its end).
    error WorkLedgerEpochNotEnded(uint256 networkId, uint64 epoch, uint64 endsAt);
    /// @notice The epoch was never committed.
    error WorkLedgerUnknownEpoch(uint256 networkId, uint64 epoch);
    /// @notice The summary is inconsistent (root zero with records, or records with a zero root, or activeNodes > recordCount).
    error WorkLedgerInvalidSummary(uint256 networkId, uint64 epoch);
    /// @notice Fewer valid signatures than the threshold.
    error WorkLedgerBelowThreshold(uint256 provided, uint256 threshold);
    /// @notice A signature could not be recovered (wrong length, high-s, zero address).
    error WorkLedgerInvalidSignature(uint256 index);
    /// @notice A recovered signer is not in the verifier set the commit is checked against.
    error WorkLedgerNotVerifier(address signer);
    /// @notice The same signer appears twice.
    error WorkLedgerDuplicateSigner(address signer);
    /// @notice Signers must be sorted by strictly ascending address.
    error WorkLedgerSignersUnsorted(address previous, address signer);
    /// @notice The operation needs a Pending epoch (challenge) or a Challenged one (resolve).
    error WorkLedgerInvalidEpochStatus(uint256 networkId, uint64 epoch, EpochStatus status);
    /// @notice The version does not exist for this epoch.
    error WorkLedgerUnknownVersion(uint256 networkId, uint64 epoch, uint32 version);

    /*//////////////////////////////////////////////////////////////
                                 NETWORKS
    //////////////////////////////////////////////////////////////*/

    /// @notice Create a network. Ids count from 1. The caller needs no role; `params.admin` gets the
    /// network's ADMIN, ARBITER, REGISTRAR, CHALLENGER and BILLER roles; ADMIN is the admin role of
    /// all five, so it grants and revokes them (AccessControl `grantRole`/`revokeRole`).
    /// Challenges are role-gated (no bond): the admin chooses who may challenge (watchers, insurers).
    /// @return networkId The new network's id.
    function createNetwork(NetworkParams calldata params) external returns (uint256 networkId);

    /// @notice Replace the verifier set and threshold (admin only). Committed epochs keep the set they were checked against.
    function rotateVerifiers(uint256 networkId, address[] calldata verifiers, uint8 threshold) external;

    /// @notice Change the challenge window for commits made from now on (admin only).
    function setChallengeWindow(uint256 networkId, uint64 challengeWindow) external;

    /// @notice Pause or unpause a network (admin only). Paused: no commits, registrations or charges.
    function setPaused(uint256 networkId, bool paused) external;

    /// @notice The network's stored configuration. Reverts for an unknown network.
    function network(uint256 networkId) external view returns (Network memory);

    /// @notice Number of networks created (ids are 1..networkCount).
    function networkCount() external view returns (uint256);

    /// @notice Whether `account` is a verifier of the given set.
    function isVerifier(uint256 networkId, uint32 verifierSetId, address account) external view returns (bool);

    /// @notice The members (in the order given) and threshold of a verifier set (empty, 0 if unknown).
    function verifierSet(uint256 networkId, uint32 verifierSetId)
        external
        view
        returns (address[] memory verifiers, uint8 threshold);

    /// @notice The AccessControl role id of a network role: keccak256(abi.encode(networkId, kind)).
    function networkRole(uint256 networkId, bytes32 kind) external pure returns (bytes32);

    /// @notice Whether `account` holds the network role `kind` (ADMIN, ARBITER, CHALLENGER, REGISTRAR, BILLER).
    function hasNetworkRole(uint256 networkId, bytes32 kind, address account) external view returns (bool);

    /// @notice Start and end (exclusive) of an epoch, in unix seconds.
    function epochBounds(uint256 networkId, uint64 epoch) external view returns (uint64 start, uint64 end);

    /*//////////////////////////////////////////////////////////////
                                 NODES
    //////////////////////////////////////////////////////////////*/

    /// @notice Register a node with its operator (registrar role).
    function registerNode(uint256 networkId, bytes32 nodeId, address operator) external;

    /// @notice Deactivate a node (registrar role or the node's operator).
    function deactivateNode(uint256 networkId, bytes32 nodeId) external;

    /// @notice A node's operator and whether it is active (operator is zero if never registered).
    function node(uint256 networkId, bytes32 nodeId) external view returns (address operator, bool active);

    /*//////////////////////////////////////////////////////////////
                                 EPOCHS
    //////////////////////////////////////////////////////////////*/

    /// @notice The EIP-712 typehash of EpochCommit: keccak256 of {TypeHashes-EPOCH_COMMIT_TYPE}.
    function epochCommitTypehash() external pure returns (bytes32);

    /// @notice The EIP-712 digest (domain separator + struct hash) the verifiers sign for
    /// (networkId, epoch, version, summary): what `ecrecover` is checked against.
    function epochCommitDigest(uint256 networkId, uint64 epoch, uint32 version, EpochSummary calldata summary)
        external
        view
        returns (bytes32);

    /// @notice Commit the next epoch of a network. Anyone may relay a commit signed by at least
    /// `threshold` distinct current verifiers; signatures ordered by ascending signer address.
    function commitEpoch(uint256 networkId, uint64 epoch, EpochSummary calldata summary, bytes[] calldata signatures)
        external;

    /// @notice Supersede an epoch (Pending, Voided or Final; not Challenged) with a newly signed summary at
    /// version + 1 (admin only). Earlier versions stay readable.
    function correctEpoch(
        uint256 networkId,
        uint64 epoch,
        EpochSummary calldata summary,
        bytes[] calldata signatures,
        bytes32 reasonHash
    ) external;

    /// @notice Challenge a Pending epoch (challenger role). It is frozen until the arbiter resolves it.
    function challengeEpoch(uint256 networkId, uint64 epoch, bytes32 reasonHash) external;

    /// @notice Resolve a challenge (arbiter role): upheld voids the epoch; rejected restores Pending
    /// with the window time that was left when it was challenged.
    function resolveChallenge(uint256 networkId, uint64 epoch, bool upheld) external;

    /// @notice Status and latest version of an epoch (None, 0 for an unknown network or epoch; never reverts).
    function epochStatus(uint256 networkId, uint64 epoch) external view returns (EpochStatus status, uint32 version);

    /// @notice The latest version of an epoch. Reverts with {WorkLedgerUnknownEpoch} if never committed.
    function latestEpoch(uint256 networkId, uint64 epoch) external view returns (EpochVersion memory);

    /// @notice Any version of an epoch (1..latest). Reverts with {WorkLedgerUnknownVersion}.
    function epochVersion(uint256 networkId, uint64 epoch, uint32 version) external view returns (EpochVersion memory);

    /// @notice Whether the epoch's latest version is Final.
    function isFinal(uint256 networkId, uint64 epoch) external view returns (bool);

    /// @notice True only when `proof` proves `record` against the root of the epoch's latest version,
    /// that version is not Voided, and `record.epoch == epoch`. False (never a revert) otherwise.
    function verifyRecord(uint256 networkId, uint64 epoch, WorkRecord calldata record, bytes32[] calldata proof)
        external
        view
        returns (bool);
}
