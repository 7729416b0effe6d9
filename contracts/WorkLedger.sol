// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IRevenueLedger} from "./interfaces/IRevenueLedger.sol";
import {IWorkLedger} from "./interfaces/IWorkLedger.sol";
import {NetworkRoles} from "./libraries/NetworkRoles.sol";
import {TypeHashes} from "./libraries/TypeHashes.sol";
import {WorkRecordLib} from "./libraries/WorkRecordLib.sol";

/// @title WorkLedger
/// @notice Verifiable node work for DePIN networks: k-of-n verifier sets sign Merkle-batched epoch
/// summaries (EIP-712); a Pending version can be challenged by anyone with a bond and is ruled on by an
/// independent arbiter before a deadline; a Final version never changes; any record can be checked on
/// chain with {verifyRecord}.
/// @dev Gas: a commit reads the three network slots, writes the root, one packed meta word and the
/// `nextEpoch` word (shared with the finality cursor), and the usage root only when there is usage;
/// totals, dataHash and the signers travel in the signed data and the {EpochCommitted} event only.
/// REGISTRAR/BILLER/ADMIN are per network in AccessControl (see {NetworkRoles}); nobody holds
/// DEFAULT_ADMIN_ROLE. No proxy: the rules are immutable.
contract WorkLedger is IWorkLedger, AccessControl, EIP712 {
    using SafeCast for uint256;

    /*//////////////////////////////////////////////////////////////
                               CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Longest allowed epoch: 366 days (a yearly epoch in a leap year).
    uint64 public constant MAX_EPOCH_SECONDS = 366 days;
    /// @notice Shortest allowed challenge window: one hour.
    uint64 public constant MIN_CHALLENGE_WINDOW = 1 hours;
    /// @notice Longest allowed challenge window: 366 days (fits the packed uint32 window of a version).
    uint64 public constant MAX_CHALLENGE_WINDOW = 366 days;
    /// @notice Smallest first challenge bond, in token units (one unit of a 6-decimals stablecoin).
    uint128 public constant MIN_BOND = 1e6;
    /// @notice Largest first challenge bond, in token units (its 4x escalation stays far inside uint128).
    uint128 public constant MAX_BOND = 1e33;
    /// @notice Shortest arbiter deadline: one day.
    uint64 public constant MIN_ARBITER_DEADLINE = 1 days;
    /// @notice Longest arbiter deadline: 30 days (bounds how long a challenge can freeze a version).
    uint64 public constant MAX_ARBITER_DEADLINE = 30 days;
    /// @notice Most epochs a billing statement may ever cover.
    uint32 public constant MAX_STATEMENT_EPOCHS = 10_000;
    /// @notice Most challenges against one version (the bond doubles after each rejection).
    uint8 public constant MAX_CHALLENGES = 3;
    /// @notice Floor of the recovery delay: 7 days.
    uint64 public constant MIN_RECOVERY_DELAY = 7 days;
    /// @notice The recovery delay is at least thawSeconds plus this margin.
    uint64 public constant RECOVERY_THAW_MARGIN = 1 days;
    /// @dev Largest verifier set: `Network.verifierCount` is a uint8.
    uint256 private constant _MAX_VERIFIERS = type(uint8).max;
    /// @dev Version number of an epoch's first commit.
    uint32 private constant _FIRST_VERSION = 1;
    /// @dev Id of a network's first verifier set.
    uint32 private constant _FIRST_VERIFIER_SET = 1;

    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @dev One epoch version in storage (two slots; the usage root lives in `_usageRoots`).
    struct StoredEpoch {
        bytes32 root; // slot 1: Merkle root
        // slot 2 (30 bytes):
        uint32 version; // 1 for the first commit, +1 per correction (0 = never committed)
        EpochStatus status; // Pending, Challenged or Voided (Final is computed from `timer`)
        uint32 verifierSetId; // Verifier set the commit was checked against
        uint64 committedAt; // Block timestamp of the commit
        uint64 timer; // Pending: finalizesAt. Challenged: remaining window. Voided: 0
        uint32 window; // Challenge window the version was committed with (<= MAX_CHALLENGE_WINDOW < 2^32)
        uint8 challenges; // Challenges opened against this version
    }

    /// @dev Trust parameters of a network (three slots, none read by commits).
    struct Trust {
        address arbiter; // Rules on challenges, cancels recoveries
        uint64 thawSeconds; // Thawing period of withdrawals (read by the RevenueLedger's later billing)
        uint32 maxStatementEpochs; // Most epochs per billing statement
        address pendingArbiter; // Nominee of a two-step arbiter transfer
        uint64 arbiterDeadline; // Seconds the arbiter has to rule
        uint128 bond; // First bond of a version
    }

    /// @dev The open challenge of an epoch's latest version (one slot); the bond is bond << (challenges - 1).
    struct OpenChallenge {
        address challenger;
        uint64 deadline;
    }

    /// @dev A pending recovery proposal.
    struct Recovery {
        bytes32 setHash; // keccak256(abi.encode(verifiers, threshold))
        uint64 proposedAt; // 0 = none
        uint32 verifierSetId; // The set id it creates (current + 1 at proposal time)
    }

    /// @dev A verifier set: members in the order given and its threshold.
    struct VerifierSet {
        uint8 threshold; // k of this set
        address[] members; // n members (for the {verifierSet} view; membership checks use `_isVerifier`)
    }

    /// @dev A node of a network.
    struct NodeInfo {
        address operator; // Operator address (zero if never registered)
        bool active; // False once deactivated
    }

    /// @dev Who may wire the RevenueLedger, once.
    address private immutable _DEPLOYER;
    /// @dev The RevenueLedger that holds bonds (set once by the deployer).
    address private _revenueLedger;
    uint256 private _networkCount;
    mapping(uint256 networkId => Network config) private _networks;
    mapping(uint256 networkId => Trust trust) private _trust;
    mapping(uint256 networkId => Recovery proposal) private _recoveries;
    mapping(uint256 networkId => mapping(uint32 verifierSetId => VerifierSet set)) private _verifierSets;
    mapping(uint256 networkId => mapping(uint32 verifierSetId => mapping(address account => bool member)))
        private _isVerifier;
    mapping(uint256 networkId => mapping(bytes32 nodeId => NodeInfo info)) private _nodes;
    /// @dev The latest version of each epoch.
    mapping(uint256 networkId => mapping(uint64 epoch => StoredEpoch latest)) private _epochs;
    /// @dev Superseded versions, copied here when a correction replaces them.
    mapping(uint256 networkId => mapping(uint64 epoch => mapping(uint32 version => StoredEpoch old))) private
        _history;
    /// @dev Usage root of every version that has usage (written only when non-zero, keyed by version so a
    /// correction never has to clear it).
    mapping(uint256 networkId => mapping(uint64 epoch => mapping(uint32 version => bytes32 usageRoot))) private
        _usageRoots;
    /// @dev The open challenge of each epoch's latest version.
    mapping(uint256 networkId => mapping(uint64 epoch => OpenChallenge challenge)) private _challenges;

    constructor() EIP712(TypeHashes.DOMAIN_NAME, TypeHashes.DOMAIN_VERSION) {
        _DEPLOYER = msg.sender;
    }

    /*//////////////////////////////////////////////////////////////
                               MODIFIERS
    //////////////////////////////////////////////////////////////*/

    /// @dev Reverts unless the network exists and the caller holds its role `kind`.
    modifier onlyNetworkRole(uint256 networkId, bytes32 kind) {
        _requireNetwork(networkId);
        _checkNetworkRole(networkId, kind, msg.sender);
        _;
    }

    /// @dev Reverts unless the network exists and the caller is its arbiter.
    modifier onlyArbiter(uint256 networkId) {
        _requireNetwork(networkId);
        if (msg.sender != _trust[networkId].arbiter) revert WorkLedgerNotArbiter(networkId, msg.sender);
        _;
    }

    /*//////////////////////////////////////////////////////////////
                                NETWORKS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IWorkLedger
    function createNetwork(NetworkParams calldata params) external returns (uint256 networkId) {
        _checkParams(params);

        networkId = ++_networkCount;
        uint64 genesisTime = params.genesisTime == 0 ? uint64(block.timestamp) : params.genesisTime;
        Network storage net = _networks[networkId];
        net.token = params.token;
        net.genesisTime = genesisTime;
        net.epochSeconds = params.epochSeconds;
        net.challengeWindow = params.challengeWindow;
        net.capacityPerNode = params.capacityPerNode;
        Trust storage trust = _trust[networkId];
        trust.arbiter = params.arbiter;
        trust.thawSeconds = params.thawSeconds;
        trust.maxStatementEpochs = params.maxStatementEpochs;
        trust.arbiterDeadline = params.arbiterDeadline;
        trust.bond = params.bond;
        emit NetworkCreated(
            networkId,
            params.admin,
            params.token,
            params.name,
            params.workUnit,
            genesisTime,
            params.epochSeconds,
            params.challengeWindow,
            params.capacityPerNode
        );
        emit NetworkTrustSet(
            networkId,
            params.arbiter,
            params.bond,
            params.thawSeconds,
            params.arbiterDeadline,
            params.maxStatementEpochs
        );

        _setVerifierSet(networkId, net, _FIRST_VERIFIER_SET, params.verifiers, params.threshold);

        bytes32 adminRole = NetworkRoles.roleId(networkId, NetworkRoles.ADMIN);
        _setRoleAdmin(adminRole, adminRole);
        _setRoleAdmin(NetworkRoles.roleId(networkId, NetworkRoles.REGISTRAR), adminRole);
        _setRoleAdmin(NetworkRoles.roleId(networkId, NetworkRoles.BILLER), adminRole);
        _grantRole(adminRole, params.admin);
    }

    /// @inheritdoc IWorkLedger
    function rotateVerifiers(
        uint256 networkId,
        address[] calldata verifiers,
        uint8 threshold,
        bytes[] calldata signatures
    ) external {
        _requireNetwork(networkId);
        Network storage net = _networks[networkId];
        uint32 current = net.verifierSetId;
        uint32 next = current + 1;
        bytes32 digest = _verifierRotationDigest(networkId, next, verifiers, threshold);
        _checkSignatures(networkId, current, net.threshold, digest, signatures);
        _setVerifierSet(networkId, net, next, verifiers, threshold);
    }

    /// @inheritdoc IWorkLedger
    /// @dev Validates the set now (bounds, zero and duplicate members) so that a bad proposal fails at once
    /// instead of after its delay.
    function proposeRecovery(uint256 networkId, address[] calldata verifiers, uint8 threshold)
        external
        onlyNetworkRole(networkId, NetworkRoles.ADMIN)
    {
        _validateSet(verifiers, threshold);
        uint32 setId = _networks[networkId].verifierSetId + 1;
        uint64 proposedAt = uint64(block.timestamp);
        _recoveries[networkId] = Recovery({
            setHash: keccak256(abi.encode(verifiers, threshold)),
            proposedAt: proposedAt,
            verifierSetId: setId
        });
        emit RecoveryProposed(
            networkId, setId, verifiers, threshold, proposedAt + _recoveryDelay(networkId), msg.sender
        );
    }

    /// @inheritdoc IWorkLedger
    function cancelRecovery(uint256 networkId) external onlyArbiter(networkId) {
        Recovery storage proposal = _recoveries[networkId];
        if (proposal.proposedAt == 0) revert WorkLedgerNoRecovery(networkId);
        uint32 setId = proposal.verifierSetId;
        delete _recoveries[networkId];
        emit RecoveryCancelled(networkId, setId, msg.sender);
    }

    /// @inheritdoc IWorkLedger
    function applyRecovery(uint256 networkId, address[] calldata verifiers, uint8 threshold) external {
        _requireNetwork(networkId);
        Recovery memory proposal = _recoveries[networkId];
        if (proposal.proposedAt == 0) revert WorkLedgerNoRecovery(networkId);
        if (keccak256(abi.encode(verifiers, threshold)) != proposal.setHash) {
            revert WorkLedgerRecoveryMismatch(networkId);
        }
        Network storage net = _networks[networkId];
        uint32 current = net.verifierSetId;
        if (proposal.verifierSetId != current + 1) {
            revert WorkLedgerRecoveryStale(networkId, proposal.verifierSetId, current);
        }
        uint64 executableAt = proposal.proposedAt + _recoveryDelay(networkId);
        if (block.timestamp < executableAt) revert WorkLedgerRecoveryNotReady(networkId, executableAt);
        delete _recoveries[networkId];
        _setVerifierSet(networkId, net, proposal.verifierSetId, verifiers, threshold);
        emit RecoveryApplied(networkId, proposal.verifierSetId, msg.sender);
    }

    /// @inheritdoc IWorkLedger
    function setChallengeWindow(uint256 networkId, uint64 challengeWindow)
        external
        onlyNetworkRole(networkId, NetworkRoles.ADMIN)
    {
        _checkChallengeWindow(challengeWindow);
        Network storage net = _networks[networkId];
        Trust storage trust = _trust[networkId];
        _checkThaw(trust.thawSeconds, challengeWindow, trust.arbiterDeadline, trust.maxStatementEpochs, net.epochSeconds);
        net.challengeWindow = challengeWindow;
        emit ChallengeWindowUpdated(networkId, challengeWindow);
    }

    /// @inheritdoc IWorkLedger
    /// @dev Paused blocks {commitEpoch} and {registerNode} (and charges in the RevenueLedger) only.
    /// Challenges, rulings, expiries, corrections, deactivations, rotations and bonds stay open: they are
    /// how a paused network is repaired, and a Pending version must stay challengeable.
    function setPaused(uint256 networkId, bool paused) external onlyNetworkRole(networkId, NetworkRoles.ADMIN) {
        Network storage net = _networks[networkId];
        if (paused == net.paused) {
            if (paused) revert WorkLedgerNetworkPaused(networkId);
            revert WorkLedgerNetworkNotPaused(networkId);
        }
        net.paused = paused;
        emit NetworkPauseSet(networkId, paused, msg.sender);
    }

    /// @inheritdoc IWorkLedger
    function transferArbiter(uint256 networkId, address newArbiter) external onlyArbiter(networkId) {
        if (newArbiter == address(0)) revert WorkLedgerZeroAddress("arbiter");
        _checkNotAdmin(networkId, newArbiter);
        _trust[networkId].pendingArbiter = newArbiter;
        emit ArbiterTransferStarted(networkId, msg.sender, newArbiter);
    }

    /// @inheritdoc IWorkLedger
    function acceptArbiter(uint256 networkId) external {
        _requireNetwork(networkId);
        Trust storage trust = _trust[networkId];
        if (msg.sender != trust.pendingArbiter) revert WorkLedgerNotPendingArbiter(networkId, msg.sender);
        _checkNotAdmin(networkId, msg.sender);
        address previous = trust.arbiter;
        trust.arbiter = msg.sender;
        trust.pendingArbiter = address(0);
        emit ArbiterTransferred(networkId, previous, msg.sender);
    }

    /// @inheritdoc IWorkLedger
    function setRevenueLedger(address revenueLedger_) external {
        if (msg.sender != _DEPLOYER) revert WorkLedgerNotDeployer(msg.sender);
        address current = _revenueLedger;
        if (current != address(0)) revert WorkLedgerRevenueLedgerAlreadySet(current);
        (bool ok, bytes memory ret) = revenueLedger_.staticcall(abi.encodeCall(IRevenueLedger.workLedger, ()));
        if (!ok || ret.length != 32 || abi.decode(ret, (address)) != address(this)) {
            revert WorkLedgerRevenueLedgerMismatch(revenueLedger_);
        }
        _revenueLedger = revenueLedger_;
        emit RevenueLedgerSet(revenueLedger_);
    }

    /// @inheritdoc IWorkLedger
    function revenueLedger() external view returns (address) {
        return _revenueLedger;
    }

    /// @inheritdoc IWorkLedger
    function network(uint256 networkId) external view returns (Network memory) {
        _requireNetwork(networkId);
        return _networks[networkId];
    }

    /// @inheritdoc IWorkLedger
    function networkCount() external view returns (uint256) {
        return _networkCount;
    }

    /// @inheritdoc IWorkLedger
    function arbiterOf(uint256 networkId) external view returns (address) {
        return _trust[networkId].arbiter;
    }

    /// @inheritdoc IWorkLedger
    function pendingArbiterOf(uint256 networkId) external view returns (address) {
        return _trust[networkId].pendingArbiter;
    }

    /// @inheritdoc IWorkLedger
    function bondOf(uint256 networkId) external view returns (uint128) {
        return _trust[networkId].bond;
    }

    /// @inheritdoc IWorkLedger
    function thawSecondsOf(uint256 networkId) external view returns (uint64) {
        return _trust[networkId].thawSeconds;
    }

    /// @inheritdoc IWorkLedger
    function arbiterDeadlineOf(uint256 networkId) external view returns (uint64) {
        return _trust[networkId].arbiterDeadline;
    }

    /// @inheritdoc IWorkLedger
    function maxStatementEpochsOf(uint256 networkId) external view returns (uint32) {
        return _trust[networkId].maxStatementEpochs;
    }

    /// @inheritdoc IWorkLedger
    function finalizedCount(uint256 networkId) external view returns (uint64) {
        return _networks[networkId].finalizedCount;
    }

    /// @inheritdoc IWorkLedger
    function recoveryDelay(uint256 networkId) external view returns (uint64) {
        _requireNetwork(networkId);
        return _recoveryDelay(networkId);
    }

    /// @inheritdoc IWorkLedger
    function recoveryProposal(uint256 networkId)
        external
        view
        returns (bytes32 setHash, uint32 verifierSetId, uint64 proposedAt, uint64 executableAt)
    {
        Recovery storage proposal = _recoveries[networkId];
        proposedAt = proposal.proposedAt;
        if (proposedAt == 0) return (bytes32(0), 0, 0, 0);
        return (proposal.setHash, proposal.verifierSetId, proposedAt, proposedAt + _recoveryDelay(networkId));
    }

    /// @inheritdoc IWorkLedger
    function isVerifier(uint256 networkId, uint32 verifierSetId, address account) external view returns (bool) {
        return _isVerifier[networkId][verifierSetId][account];
    }

    /// @inheritdoc IWorkLedger
    function verifierSet(uint256 networkId, uint32 verifierSetId)
        external
        view
        returns (address[] memory verifiers, uint8 threshold)
    {
        VerifierSet storage set = _verifierSets[networkId][verifierSetId];
        return (set.members, set.threshold);
    }

    /// @inheritdoc IWorkLedger
    function networkRole(uint256 networkId, bytes32 kind) external pure returns (bytes32) {
        return NetworkRoles.roleId(networkId, kind);
    }

    /// @inheritdoc IWorkLedger
    function hasNetworkRole(uint256 networkId, bytes32 kind, address account) external view returns (bool) {
        if (kind == NetworkRoles.ARBITER) return account != address(0) && _trust[networkId].arbiter == account;
        return hasRole(NetworkRoles.roleId(networkId, kind), account);
    }

    /// @inheritdoc IWorkLedger
    function epochBounds(uint256 networkId, uint64 epoch) external view returns (uint64 start, uint64 end) {
        _requireNetwork(networkId);
        Network storage net = _networks[networkId];
        start = (uint256(net.genesisTime) + uint256(epoch) * net.epochSeconds).toUint64();
        end = (uint256(start) + net.epochSeconds).toUint64();
    }

    /*//////////////////////////////////////////////////////////////
                                 NODES
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IWorkLedger
    /// @dev A deactivated node may be registered again (possibly with a new operator).
    function registerNode(uint256 networkId, bytes32 nodeId, address operator)
        external
        onlyNetworkRole(networkId, NetworkRoles.REGISTRAR)
    {
        if (_networks[networkId].paused) revert WorkLedgerNetworkPaused(networkId);
        if (operator == address(0)) revert WorkLedgerZeroAddress("operator");
        NodeInfo storage info = _nodes[networkId][nodeId];
        if (info.active) revert WorkLedgerNodeAlreadyRegistered(networkId, nodeId);
        info.operator = operator;
        info.active = true;
        emit NodeRegistered(networkId, nodeId, operator);
    }

    /// @inheritdoc IWorkLedger
    function deactivateNode(uint256 networkId, bytes32 nodeId) external {
        _requireNetwork(networkId);
        NodeInfo storage info = _nodes[networkId][nodeId];
        if (msg.sender != info.operator) _checkNetworkRole(networkId, NetworkRoles.REGISTRAR, msg.sender);
        if (!info.active) revert WorkLedgerUnknownNode(networkId, nodeId);
        info.active = false;
        emit NodeDeactivated(networkId, nodeId, msg.sender);
    }

    /// @inheritdoc IWorkLedger
    function node(uint256 networkId, bytes32 nodeId) external view returns (address operator, bool active) {
        NodeInfo storage info = _nodes[networkId][nodeId];
        return (info.operator, info.active);
    }

    /*//////////////////////////////////////////////////////////////
                                 EPOCHS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IWorkLedger
    function epochCommitTypehash() external pure returns (bytes32) {
        return TypeHashes.EPOCH_COMMIT_TYPEHASH;
    }

    /// @inheritdoc IWorkLedger
    function verifierRotationTypehash() external pure returns (bytes32) {
        return TypeHashes.VERIFIER_ROTATION_TYPEHASH;
    }

    /// @inheritdoc IWorkLedger
    function epochCommitDigest(uint256 networkId, uint64 epoch, uint32 version, EpochSummary calldata summary)
        external
        view
        returns (bytes32)
    {
        return _epochCommitDigest(networkId, epoch, version, summary);
    }

    /// @inheritdoc IWorkLedger
    function verifierRotationDigest(
        uint256 networkId,
        uint32 verifierSetId,
        address[] calldata verifiers,
        uint8 threshold
    ) external view returns (bytes32) {
        return _verifierRotationDigest(networkId, verifierSetId, verifiers, threshold);
    }

    /// @inheritdoc IWorkLedger
    function commitEpoch(uint256 networkId, uint64 epoch, EpochSummary calldata summary, bytes[] calldata signatures)
        external
    {
        _requireNetwork(networkId);
        Network storage net = _networks[networkId];
        if (net.paused) revert WorkLedgerNetworkPaused(networkId);
        uint64 expected = net.nextEpoch;
        if (epoch != expected) revert WorkLedgerEpochOutOfOrder(networkId, epoch, expected);
        uint256 endsAt = uint256(net.genesisTime) + (uint256(epoch) + 1) * net.epochSeconds;
        if (block.timestamp < endsAt) revert WorkLedgerEpochNotEnded(networkId, epoch, endsAt.toUint64());

        net.nextEpoch = expected + 1;
        _writeVersion(networkId, epoch, _FIRST_VERSION, net, summary, signatures);
    }

    /// @inheritdoc IWorkLedger
    /// @dev The new version is Pending for the network's current challenge window, checked against the
    /// current verifier set; the superseded version is copied to the history with its status frozen.
    function correctEpoch(
        uint256 networkId,
        uint64 epoch,
        EpochSummary calldata summary,
        bytes[] calldata signatures,
        bytes32 reasonHash
    ) external {
        _requireNetwork(networkId);
        uint32 superseded = _archiveLatest(networkId, epoch);
        uint32 version = superseded + 1;
        _writeVersion(networkId, epoch, version, _networks[networkId], summary, signatures);
        emit EpochCorrected(networkId, epoch, version, superseded, reasonHash);
    }

    /// @inheritdoc IWorkLedger
    /// @dev State is written before the RevenueLedger pulls the bond (checks-effects-interactions): a
    /// reentrant call sees the version Challenged already.
    function challengeEpoch(uint256 networkId, uint64 epoch, bytes32 reasonHash) external {
        _requireNetwork(networkId);
        address ledger = _revenueLedger;
        if (ledger == address(0)) revert WorkLedgerRevenueLedgerNotSet();
        StoredEpoch storage latest = _requireEpoch(networkId, epoch);
        EpochStatus status = _statusOf(latest);
        if (status != EpochStatus.Pending) revert WorkLedgerInvalidEpochStatus(networkId, epoch, status);
        uint8 count = latest.challenges;
        uint32 version = latest.version;
        if (count >= MAX_CHALLENGES) revert WorkLedgerTooManyChallenges(networkId, epoch, version);
        Trust storage trust = _trust[networkId];
        uint128 bond = trust.bond << count;
        uint64 deadline = uint64(block.timestamp) + trust.arbiterDeadline;

        latest.status = EpochStatus.Challenged;
        latest.challenges = count + 1;
        // Pending means block.timestamp < finalizesAt, so the subtraction cannot underflow.
        unchecked {
            latest.timer = latest.timer - uint64(block.timestamp);
        }
        _challenges[networkId][epoch] = OpenChallenge({challenger: msg.sender, deadline: deadline});
        emit EpochChallenged(networkId, epoch, version, msg.sender, bond, deadline, reasonHash);
        IRevenueLedger(ledger).lockBond(networkId, _networks[networkId].token, msg.sender, bond, epoch);
    }

    /// @inheritdoc IWorkLedger
    function resolveChallenge(uint256 networkId, uint64 epoch, bool upheld) external onlyArbiter(networkId) {
        (StoredEpoch storage latest, OpenChallenge memory open, uint128 bond) = _openChallenge(networkId, epoch);
        if (block.timestamp >= open.deadline) {
            revert WorkLedgerChallengeDeadlinePassed(networkId, epoch, open.deadline);
        }
        uint64 finalizesAt = 0;
        if (upheld) {
            latest.status = EpochStatus.Voided;
            latest.timer = 0;
        } else {
            // The remaining window is at most MAX_CHALLENGE_WINDOW, so this fits in uint64.
            finalizesAt = uint64(block.timestamp) + latest.timer;
            latest.status = EpochStatus.Pending;
            latest.timer = finalizesAt;
        }
        emit ChallengeResolved(networkId, epoch, latest.version, upheld, msg.sender, finalizesAt);
        IRevenueLedger ledger = IRevenueLedger(_revenueLedger);
        if (upheld) ledger.returnBond(networkId, open.challenger, bond, epoch);
        else ledger.forfeitBond(networkId, open.challenger, bond, epoch);
    }

    /// @inheritdoc IWorkLedger
    function expireChallenge(uint256 networkId, uint64 epoch) external {
        _requireNetwork(networkId);
        (StoredEpoch storage latest, OpenChallenge memory open, uint128 bond) = _openChallenge(networkId, epoch);
        if (block.timestamp < open.deadline) revert WorkLedgerChallengeNotExpired(networkId, epoch, open.deadline);
        latest.status = EpochStatus.Voided;
        latest.timer = 0;
        emit ChallengeExpired(networkId, epoch, latest.version, msg.sender);
        IRevenueLedger(_revenueLedger).returnBond(networkId, open.challenger, bond, epoch);
    }

    /// @inheritdoc IWorkLedger
    function advanceFinality(uint256 networkId, uint64 maxSteps) external returns (uint64) {
        _requireNetwork(networkId);
        Network storage net = _networks[networkId];
        uint64 from = net.finalizedCount;
        uint64 next = net.nextEpoch;
        // from <= next always: the cursor only passes committed epochs.
        uint64 end = maxSteps < next - from ? from + maxSteps : next;
        mapping(uint64 epoch => StoredEpoch latest) storage epochs = _epochs[networkId];
        uint64 count = from;
        while (count < end && _statusOf(epochs[count]) == EpochStatus.Final) {
            ++count;
        }
        if (count != from) {
            net.finalizedCount = count;
            emit FinalityAdvanced(networkId, from, count);
        }
        return count;
    }

    /// @inheritdoc IWorkLedger
    function challengeOf(uint256 networkId, uint64 epoch) external view returns (Challenge memory c) {
        OpenChallenge storage open = _challenges[networkId][epoch];
        c.challenger = open.challenger;
        if (c.challenger == address(0)) return c;
        c.deadline = open.deadline;
        c.bond = _trust[networkId].bond << (_epochs[networkId][epoch].challenges - 1);
    }

    /// @inheritdoc IWorkLedger
    function nextBond(uint256 networkId, uint64 epoch) external view returns (uint128) {
        return _trust[networkId].bond << _epochs[networkId][epoch].challenges;
    }

    /// @inheritdoc IWorkLedger
    function epochStatus(uint256 networkId, uint64 epoch) external view returns (EpochStatus status, uint32 version) {
        StoredEpoch storage latest = _epochs[networkId][epoch];
        return (_statusOf(latest), latest.version);
    }

    /// @inheritdoc IWorkLedger
    function latestEpoch(uint256 networkId, uint64 epoch) external view returns (EpochVersion memory) {
        StoredEpoch storage latest = _requireEpoch(networkId, epoch);
        return _toView(latest, true, _usageRoots[networkId][epoch][latest.version]);
    }

    /// @inheritdoc IWorkLedger
    function epochVersion(uint256 networkId, uint64 epoch, uint32 version) external view returns (EpochVersion memory) {
        StoredEpoch storage latest = _epochs[networkId][epoch];
        uint32 latestVersion = latest.version;
        if (version == 0 || version > latestVersion) revert WorkLedgerUnknownVersion(networkId, epoch, version);
        bytes32 usageRoot = _usageRoots[networkId][epoch][version];
        if (version == latestVersion) return _toView(latest, true, usageRoot);
        return _toView(_history[networkId][epoch][version], false, usageRoot);
    }

    /// @inheritdoc IWorkLedger
    function isFinal(uint256 networkId, uint64 epoch) external view returns (bool) {
        return _statusOf(_epochs[networkId][epoch]) == EpochStatus.Final;
    }

    /// @inheritdoc IWorkLedger
    function verifyRecord(uint256 networkId, uint64 epoch, WorkRecord calldata record, bytes32[] calldata proof)
        external
        view
        returns (bool)
    {
        if (record.epoch != epoch) return false;
        StoredEpoch storage latest = _epochs[networkId][epoch];
        // An unknown network or epoch has version 0, whose status is None.
        if (_statusOf(latest) != EpochStatus.Final) return false;
        return MerkleProof.verifyCalldata(proof, latest.root, WorkRecordLib.leafHash(record));
    }

    /// @inheritdoc IWorkLedger
    function recordStatus(uint256 networkId, uint64 epoch, WorkRecord calldata record, bytes32[] calldata proof)
        external
        view
        returns (bool included, EpochStatus status, uint32 version)
    {
        StoredEpoch storage latest = _epochs[networkId][epoch];
        version = latest.version;
        status = _statusOf(latest);
        included = version != 0 && record.epoch == epoch
            && MerkleProof.verifyCalldata(proof, latest.root, WorkRecordLib.leafHash(record));
    }

    /// @inheritdoc IWorkLedger
    function verifyUsage(uint256 networkId, uint64 epoch, UsageRecord calldata usage, bytes32[] calldata proof)
        external
        view
        returns (bool)
    {
        if (usage.epoch != epoch) return false;
        StoredEpoch storage latest = _epochs[networkId][epoch];
        if (_statusOf(latest) != EpochStatus.Final) return false;
        bytes32 usageRoot = _usageRoots[networkId][epoch][latest.version];
        // Without usage the root is zero, which no proof reaches from a leaf hash.
        return MerkleProof.verifyCalldata(proof, usageRoot, WorkRecordLib.usageLeafHash(usage));
    }

    /// @inheritdoc AccessControl
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return interfaceId == type(IWorkLedger).interfaceId || super.supportsInterface(interfaceId);
    }

    /*//////////////////////////////////////////////////////////////
                           INTERNAL FUNCTIONS
    //////////////////////////////////////////////////////////////*/

    /// @dev Checks the summary and signatures, writes `version` as the latest version and emits
    /// {EpochCommitted}. Used by the first commit and by corrections.
    function _writeVersion(
        uint256 networkId,
        uint64 epoch,
        uint32 version,
        Network storage net,
        EpochSummary calldata summary,
        bytes[] calldata signatures
    ) private {
        _checkSummary(networkId, epoch, summary);
        uint32 setId = net.verifierSetId;
        address[] memory signers = _checkSignatures(
            networkId, setId, net.threshold, _epochCommitDigest(networkId, epoch, version, summary), signatures
        );
        uint64 finalizesAt = _storeVersion(networkId, epoch, summary.root, version, setId, net.challengeWindow);
        _emitCommitted(networkId, epoch, version, summary, setId, finalizesAt, signers);
        bytes32 usageRoot = summary.usageRoot;
        if (usageRoot != bytes32(0)) {
            _usageRoots[networkId][epoch][version] = usageRoot;
            emit EpochUsageCommitted(networkId, epoch, version, usageRoot, summary.usageCount, summary.totalUsage);
        }
    }

    /// @dev Writes a new Pending version as the epoch's latest (two slots) and returns its finalizesAt.
    function _storeVersion(uint256 networkId, uint64 epoch, bytes32 root, uint32 version, uint32 setId, uint64 window)
        private
        returns (uint64 finalizesAt)
    {
        finalizesAt = uint64(block.timestamp) + window;
        // One assignment of the whole struct: two full-slot writes, no read-modify-write per field.
        _epochs[networkId][epoch] = StoredEpoch({
            root: root,
            version: version,
            status: EpochStatus.Pending,
            verifierSetId: setId,
            committedAt: uint64(block.timestamp),
            timer: finalizesAt,
            window: uint32(window), // window <= MAX_CHALLENGE_WINDOW < 2^32
            challenges: 0
        });
    }

    /// @dev Reverts with {WorkLedgerInvalidSummary} unless the summary is self-consistent.
    function _checkSummary(uint256 networkId, uint64 epoch, EpochSummary calldata summary) private pure {
        uint64 usageCount = summary.usageCount;
        if (
            (summary.recordCount == 0) != (summary.root == bytes32(0)) || summary.activeNodes > summary.recordCount
                || (usageCount == 0) != (summary.usageRoot == bytes32(0)) || (usageCount == 0 && summary.totalUsage != 0)
        ) {
            revert WorkLedgerInvalidSummary(networkId, epoch);
        }
    }

    /// @dev Emits {EpochCommitted} (a separate frame keeps the stack shallow). The usage words are read
    /// (and so ABI-checked) by {_checkSummary}.
    function _emitCommitted(
        uint256 networkId,
        uint64 epoch,
        uint32 version,
        EpochSummary calldata summary,
        uint32 setId,
        uint64 finalizesAt,
        address[] memory signers
    ) private {
        emit EpochCommitted(
            networkId,
            epoch,
            version,
            summary.root,
            summary.recordCount,
            summary.activeNodes,
            summary.totalWorkUnits,
            summary.totalRevenue,
            summary.dataHash,
            setId,
            finalizesAt,
            signers
        );
    }

    /// @dev Copies the latest version of an epoch to the history, its status frozen as it is now, and
    /// returns its version. Reverts unless the epoch exists and its latest version is Pending or Voided.
    function _archiveLatest(uint256 networkId, uint64 epoch) private returns (uint32 superseded) {
        StoredEpoch storage latest = _requireEpoch(networkId, epoch);
        EpochStatus status = _statusOf(latest);
        if (status != EpochStatus.Pending && status != EpochStatus.Voided) {
            revert WorkLedgerInvalidEpochStatus(networkId, epoch, status);
        }
        superseded = latest.version;
        _history[networkId][epoch][superseded] = latest;
    }

    /// @dev The Challenged latest version of an epoch, its open challenge (then cleared) and its bond.
    function _openChallenge(uint256 networkId, uint64 epoch)
        private
        returns (StoredEpoch storage latest, OpenChallenge memory open, uint128 bond)
    {
        latest = _requireEpoch(networkId, epoch);
        if (latest.status != EpochStatus.Challenged) {
            revert WorkLedgerInvalidEpochStatus(networkId, epoch, _statusOf(latest));
        }
        open = _challenges[networkId][epoch];
        bond = _trust[networkId].bond << (latest.challenges - 1);
        delete _challenges[networkId][epoch];
    }

    /// @dev Recovers every signature over `digest` and returns the signers. Each must be a valid
    /// 65-byte low-s signature of a member of set `setId`, in strictly ascending signer order
    /// (which rules out duplicates without a second lookup), and there must be at least `threshold`.
    function _checkSignatures(
        uint256 networkId,
        uint32 setId,
        uint8 threshold,
        bytes32 digest,
        bytes[] calldata signatures
    ) private view returns (address[] memory signers) {
        uint256 count = signatures.length;
        if (count < threshold) revert WorkLedgerBelowThreshold(count, threshold);
        signers = new address[](count);
        address previous = address(0);
        for (uint256 i = 0; i < count; ++i) {
            (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(digest, signatures[i]);
            if (err != ECDSA.RecoverError.NoError) revert WorkLedgerInvalidSignature(i);
            if (signer <= previous) {
                if (signer == previous) revert WorkLedgerDuplicateSigner(signer);
                revert WorkLedgerSignersUnsorted(previous, signer);
            }
            if (!_isVerifier[networkId][setId][signer]) revert WorkLedgerNotVerifier(signer);
            signers[i] = signer;
            previous = signer;
        }
    }

    /// @dev The EIP-712 digest of an EpochCommit. The summary is a static struct of nine one-word fields,
    /// so its calldata is exactly the EIP-712 encodeData of those fields and is hashed in place (after the
    /// typehash, networkId, epoch and version, in free memory that is not allocated). A field with dirty
    /// high bits would hash differently from what any verifier signed, and every field is also read with
    /// the ABI decoder's checks in the same transaction ({_checkSummary}, {_emitCommitted}).
    function _epochCommitDigest(uint256 networkId, uint64 epoch, uint32 version, EpochSummary calldata summary)
        private
        view
        returns (bytes32)
    {
        bytes32 typehash = TypeHashes.EPOCH_COMMIT_TYPEHASH;
        bytes32 structHash;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, typehash)
            mstore(add(ptr, 0x20), networkId)
            mstore(add(ptr, 0x40), epoch)
            mstore(add(ptr, 0x60), version)
            calldatacopy(add(ptr, 0x80), summary, 0x120)
            structHash := keccak256(ptr, 0x1a0)
        }
        return _hashTypedDataV4(structHash);
    }

    /// @dev The EIP-712 digest of a VerifierRotation (address[] hashed as EIP-712 does: keccak256 of the
    /// 32-byte-padded members).
    function _verifierRotationDigest(
        uint256 networkId,
        uint32 verifierSetId,
        address[] calldata verifiers,
        uint8 threshold
    ) private view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    TypeHashes.VERIFIER_ROTATION_TYPEHASH,
                    networkId,
                    verifierSetId,
                    keccak256(abi.encodePacked(verifiers)),
                    threshold
                )
            )
        );
    }

    /// @dev Validates and stores verifier set `setId` as the network's current set; emits {VerifierSetUpdated}.
    function _setVerifierSet(
        uint256 networkId,
        Network storage net,
        uint32 setId,
        address[] calldata verifiers,
        uint8 threshold
    ) private {
        uint256 n = verifiers.length;
        _checkThreshold(n, threshold);
        mapping(address account => bool member) storage members = _isVerifier[networkId][setId];
        for (uint256 i = 0; i < n; ++i) {
            address v = verifiers[i];
            if (v == address(0)) revert WorkLedgerZeroVerifier(i);
            if (members[v]) revert WorkLedgerDuplicateVerifier(v);
            members[v] = true;
        }
        VerifierSet storage set = _verifierSets[networkId][setId];
        set.threshold = threshold;
        set.members = verifiers;
        net.verifierSetId = setId;
        net.threshold = threshold;
        net.verifierCount = uint8(n); // n <= _MAX_VERIFIERS, checked above
        emit VerifierSetUpdated(networkId, setId, verifiers, threshold);
    }

    /// @dev The checks of {_setVerifierSet} without writing (a recovery proposal is validated up front).
    function _validateSet(address[] calldata verifiers, uint8 threshold) private pure {
        uint256 n = verifiers.length;
        _checkThreshold(n, threshold);
        for (uint256 i = 0; i < n; ++i) {
            address v = verifiers[i];
            if (v == address(0)) revert WorkLedgerZeroVerifier(i);
            for (uint256 j = 0; j < i; ++j) {
                if (verifiers[j] == v) revert WorkLedgerDuplicateVerifier(v);
            }
        }
    }

    /// @dev Reverts with {WorkLedgerInvalidThreshold} unless 1 <= threshold <= n <= 255.
    function _checkThreshold(uint256 n, uint8 threshold) private pure {
        if (n == 0 || n > _MAX_VERIFIERS || threshold == 0 || threshold > n) {
            revert WorkLedgerInvalidThreshold(threshold, n);
        }
    }

    /// @dev Status of a stored version now: a Pending version whose window has passed is Final.
    function _statusOf(StoredEpoch storage e) private view returns (EpochStatus) {
        EpochStatus status = e.status;
        if (status == EpochStatus.Pending && block.timestamp >= e.timer) return EpochStatus.Final;
        return status;
    }

    /// @dev The view struct of a stored version; `live` computes Final, a superseded version is frozen.
    function _toView(StoredEpoch storage e, bool live, bytes32 usageRoot) private view returns (EpochVersion memory v) {
        v.root = e.root;
        v.version = e.version;
        EpochStatus stored = e.status;
        v.status = live ? _statusOf(e) : stored;
        v.verifierSetId = e.verifierSetId;
        v.committedAt = e.committedAt;
        if (stored == EpochStatus.Challenged) {
            v.remainingWindow = e.timer;
        } else {
            v.finalizesAt = e.timer;
        }
        v.challengeWindow = e.window;
        v.challenges = e.challenges;
        v.usageRoot = usageRoot;
    }

    /// @dev The recovery delay under the network's parameters now.
    function _recoveryDelay(uint256 networkId) private view returns (uint64) {
        uint256 delay = MIN_RECOVERY_DELAY;
        uint256 twoWindows = 2 * uint256(_networks[networkId].challengeWindow);
        if (twoWindows > delay) delay = twoWindows;
        uint256 thaw = uint256(_trust[networkId].thawSeconds) + RECOVERY_THAW_MARGIN;
        if (thaw > delay) delay = thaw;
        return delay.toUint64();
    }

    /// @dev The latest stored version of an epoch; reverts with {WorkLedgerUnknownEpoch} if never committed.
    function _requireEpoch(uint256 networkId, uint64 epoch) private view returns (StoredEpoch storage latest) {
        latest = _epochs[networkId][epoch];
        if (latest.version == 0) revert WorkLedgerUnknownEpoch(networkId, epoch);
    }

    /// @dev Reverts with {WorkLedgerUnknownNetwork} unless 1 <= networkId <= networkCount.
    function _requireNetwork(uint256 networkId) private view {
        if (networkId == 0 || networkId > _networkCount) revert WorkLedgerUnknownNetwork(networkId);
    }

    /// @dev Reverts with {WorkLedgerUnauthorized} unless `account` holds role `kind` of the network.
    function _checkNetworkRole(uint256 networkId, bytes32 kind, address account) private view {
        bytes32 role = NetworkRoles.roleId(networkId, kind);
        if (!hasRole(role, account)) revert WorkLedgerUnauthorized(networkId, account, role);
    }

    /// @dev Reverts with {WorkLedgerArbiterIsAdmin} when `account` holds the network's ADMIN role.
    function _checkNotAdmin(uint256 networkId, address account) private view {
        if (hasRole(NetworkRoles.roleId(networkId, NetworkRoles.ADMIN), account)) {
            revert WorkLedgerArbiterIsAdmin(networkId, account);
        }
    }

    /// @dev Checks every bound of a new network's parameters except the verifier set (checked when stored).
    function _checkParams(NetworkParams calldata params) private pure {
        if (params.admin == address(0)) revert WorkLedgerZeroAddress("admin");
        if (params.token == address(0)) revert WorkLedgerZeroAddress("token");
        if (params.arbiter == address(0)) revert WorkLedgerZeroAddress("arbiter");
        if (params.arbiter == params.admin) revert WorkLedgerArbiterIsAdmin(0, params.arbiter);
        if (params.epochSeconds == 0 || params.epochSeconds > MAX_EPOCH_SECONDS) {
            revert WorkLedgerInvalidEpochSeconds(params.epochSeconds);
        }
        _checkChallengeWindow(params.challengeWindow);
        if (params.bond < MIN_BOND || params.bond > MAX_BOND) revert WorkLedgerInvalidBond(params.bond);
        if (params.arbiterDeadline < MIN_ARBITER_DEADLINE || params.arbiterDeadline > MAX_ARBITER_DEADLINE) {
            revert WorkLedgerInvalidArbiterDeadline(params.arbiterDeadline);
        }
        if (params.maxStatementEpochs == 0 || params.maxStatementEpochs > MAX_STATEMENT_EPOCHS) {
            revert WorkLedgerInvalidMaxStatementEpochs(params.maxStatementEpochs);
        }
        _checkThaw(
            params.thawSeconds,
            params.challengeWindow,
            params.arbiterDeadline,
            params.maxStatementEpochs,
            params.epochSeconds
        );

    }

    /// @dev Reverts with {WorkLedgerInvalidChallengeWindow} outside MIN..MAX_CHALLENGE_WINDOW.
    function _checkChallengeWindow(uint64 challengeWindow) private pure {
        if (challengeWindow < MIN_CHALLENGE_WINDOW || challengeWindow > MAX_CHALLENGE_WINDOW) {
            revert WorkLedgerInvalidChallengeWindow(challengeWindow);
        }
    }

    /// @dev Reverts with {WorkLedgerThawTooShort} unless thaw >= window + deadline + maxStatementEpochs * epochSeconds.
    function _checkThaw(
        uint64 thawSeconds,
        uint64 challengeWindow,
        uint64 arbiterDeadline,
        uint32 maxStatementEpochs,
        uint64 epochSeconds
    ) private pure {
        uint256 required =
            uint256(challengeWindow) + uint256(arbiterDeadline) + uint256(maxStatementEpochs) * uint256(epochSeconds);
        if (thawSeconds < required) revert WorkLedgerThawTooShort(thawSeconds, required);
    }
}
