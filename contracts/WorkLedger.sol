// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IWorkLedger} from "./interfaces/IWorkLedger.sol";
import {NetworkRoles} from "./libraries/NetworkRoles.sol";
import {TypeHashes} from "./libraries/TypeHashes.sol";
import {WorkRecordLib} from "./libraries/WorkRecordLib.sol";

/// @title WorkLedger
/// @notice Verifiable node work for DePIN networks: k-of-n verifier sets sign Merkle-batched epoch
/// summaries (EIP-712); epochs are challengeable, correctable (every version kept) and any record can
/// be checked on chain with {verifyRecord}.
/// @dev Gas: a commit writes the root, one packed meta word and `nextEpoch`; totals, dataHash and the
/// signers travel in the signed data and the {EpochCommitted} event only. Roles are per network in
/// AccessControl (see {NetworkRoles}); nobody holds DEFAULT_ADMIN_ROLE. No proxy: the rules are immutable.
contract WorkLedger is IWorkLedger, AccessControl, EIP712 {
    using SafeCast for uint256;

    /*//////////////////////////////////////////////////////////////
                               CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Longest allowed epoch: 366 days (a yearly epoch in a leap year).
    uint64 public constant MAX_EPOCH_SECONDS = 366 days;
    /// @notice Longest allowed challenge window: 366 days (keeps `committedAt + window` far from overflow).
    uint64 public constant MAX_CHALLENGE_WINDOW = 366 days;
    /// @dev Largest verifier set: `Network.verifierCount` is a uint8.
    uint256 private constant _MAX_VERIFIERS = type(uint8).max;
    /// @dev Version number of an epoch's first commit.
    uint32 private constant _FIRST_VERSION = 1;
    /// @dev Id of a network's first verifier set.
    uint32 private constant _FIRST_VERIFIER_SET = 1;

    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @dev One epoch version in storage (two slots).
    struct StoredEpoch {
        bytes32 root; // slot 1: Merkle root
        // slot 2 (25 bytes):
        uint32 version; // 1 for the first commit, +1 per correction (0 = never committed)
        EpochStatus status; // Pending, Challenged or Voided (Final is computed from `timer`)
        uint32 verifierSetId; // Verifier set the commit was checked against
        uint64 committedAt; // Block timestamp of the commit
        uint64 timer; // Pending: finalizesAt. Challenged: remaining window. Voided: 0
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

    uint256 private _networkCount;
    mapping(uint256 networkId => Network config) private _networks;
    mapping(uint256 networkId => mapping(uint32 verifierSetId => VerifierSet set)) private _verifierSets;
    mapping(uint256 networkId => mapping(uint32 verifierSetId => mapping(address account => bool member)))
        private _isVerifier;
    mapping(uint256 networkId => mapping(bytes32 nodeId => NodeInfo info)) private _nodes;
    /// @dev The latest version of each epoch.
    mapping(uint256 networkId => mapping(uint64 epoch => StoredEpoch latest)) private _epochs;
    /// @dev Superseded versions, copied here when a correction replaces them.
    mapping(uint256 networkId => mapping(uint64 epoch => mapping(uint32 version => StoredEpoch old))) private
        _history;

    constructor() EIP712(TypeHashes.DOMAIN_NAME, TypeHashes.DOMAIN_VERSION) {}

    /*//////////////////////////////////////////////////////////////
                               MODIFIERS
    //////////////////////////////////////////////////////////////*/

    /// @dev Reverts unless the network exists and the caller holds its role `kind`.
    modifier onlyNetworkRole(uint256 networkId, bytes32 kind) {
        _requireNetwork(networkId);
        _checkNetworkRole(networkId, kind, msg.sender);
        _;
    }

    /*//////////////////////////////////////////////////////////////
                                NETWORKS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IWorkLedger
    function createNetwork(NetworkParams calldata params) external returns (uint256 networkId) {
        if (params.admin == address(0)) revert WorkLedgerZeroAddress("admin");
        if (params.token == address(0)) revert WorkLedgerZeroAddress("token");
        if (params.epochSeconds == 0 || params.epochSeconds > MAX_EPOCH_SECONDS) {
            revert WorkLedgerInvalidEpochSeconds(params.epochSeconds);
        }
        _checkChallengeWindow(params.challengeWindow);

        networkId = ++_networkCount;
        uint64 genesisTime = params.genesisTime == 0 ? uint64(block.timestamp) : params.genesisTime;
        Network storage net = _networks[networkId];
        net.token = params.token;
        net.genesisTime = genesisTime;
        net.epochSeconds = params.epochSeconds;
        net.challengeWindow = params.challengeWindow;
        net.capacityPerNode = params.capacityPerNode;
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

        _setVerifierSet(networkId, net, _FIRST_VERIFIER_SET, params.verifiers, params.threshold);

        bytes32 adminRole = NetworkRoles.roleId(networkId, NetworkRoles.ADMIN);
        bytes32[5] memory kinds = [
            NetworkRoles.ADMIN,
            NetworkRoles.ARBITER,
            NetworkRoles.REGISTRAR,
            NetworkRoles.CHALLENGER,
            NetworkRoles.BILLER
        ];
        for (uint256 i = 0; i < kinds.length; ++i) {
            bytes32 role = NetworkRoles.roleId(networkId, kinds[i]);
            _setRoleAdmin(role, adminRole);
            _grantRole(role, params.admin);
        }
    }

    /// @inheritdoc IWorkLedger
    function rotateVerifiers(uint256 networkId, address[] calldata verifiers, uint8 threshold)
        external
        onlyNetworkRole(networkId, NetworkRoles.ADMIN)
    {
        Network storage net = _networks[networkId];
        _setVerifierSet(networkId, net, net.verifierSetId + 1, verifiers, threshold);
    }

    /// @inheritdoc IWorkLedger
    function setChallengeWindow(uint256 networkId, uint64 challengeWindow)
        external
        onlyNetworkRole(networkId, NetworkRoles.ADMIN)
    {
        _checkChallengeWindow(challengeWindow);
        _networks[networkId].challengeWindow = challengeWindow;
        emit ChallengeWindowUpdated(networkId, challengeWindow);
    }

    /// @inheritdoc IWorkLedger
    /// @dev Paused blocks {commitEpoch} and {registerNode} (and charges in the RevenueLedger).
    /// Challenges, resolutions, corrections, deactivations and rotations stay open: they are how a
    /// paused network is repaired, and a Pending epoch must stay challengeable.
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
    function network(uint256 networkId) external view returns (Network memory) {
        _requireNetwork(networkId);
        return _networks[networkId];
    }

    /// @inheritdoc IWorkLedger
    function networkCount() external view returns (uint256) {
        return _networkCount;
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
    function epochCommitDigest(uint256 networkId, uint64 epoch, uint32 version, EpochSummary calldata summary)
        external
        view
        returns (bytes32)
    {
        return _epochCommitDigest(networkId, epoch, version, summary);
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
    /// @dev The new version is Pending for the network's current challenge window, checked against
    /// the current verifier set; the superseded version is copied to the history with its status frozen.
    function correctEpoch(
        uint256 networkId,
        uint64 epoch,
        EpochSummary calldata summary,
        bytes[] calldata signatures,
        bytes32 reasonHash
    ) external onlyNetworkRole(networkId, NetworkRoles.ADMIN) {
        uint32 superseded = _archiveLatest(networkId, epoch);
        uint32 version = superseded + 1;
        _writeVersion(networkId, epoch, version, _networks[networkId], summary, signatures);
        emit EpochCorrected(networkId, epoch, version, superseded, reasonHash);
    }

    /// @inheritdoc IWorkLedger
    function challengeEpoch(uint256 networkId, uint64 epoch, bytes32 reasonHash)
        external
        onlyNetworkRole(networkId, NetworkRoles.CHALLENGER)
    {
        StoredEpoch storage latest = _requireEpoch(networkId, epoch);
        EpochStatus status = _statusOf(latest);
        if (status != EpochStatus.Pending) revert WorkLedgerInvalidEpochStatus(networkId, epoch, status);
        latest.status = EpochStatus.Challenged;
        // Pending means block.timestamp < finalizesAt, so the subtraction cannot underflow.
        unchecked {
            latest.timer = latest.timer - uint64(block.timestamp);
        }
        emit EpochChallenged(networkId, epoch, latest.version, msg.sender, reasonHash);
    }

    /// @inheritdoc IWorkLedger
    function resolveChallenge(uint256 networkId, uint64 epoch, bool upheld)
        external
        onlyNetworkRole(networkId, NetworkRoles.ARBITER)
    {
        StoredEpoch storage latest = _requireEpoch(networkId, epoch);
        EpochStatus status = latest.status;
        if (status != EpochStatus.Challenged) {
            revert WorkLedgerInvalidEpochStatus(networkId, epoch, _statusOf(latest));
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
    }

    /// @inheritdoc IWorkLedger
    function epochStatus(uint256 networkId, uint64 epoch) external view returns (EpochStatus status, uint32 version) {
        StoredEpoch storage latest = _epochs[networkId][epoch];
        return (_statusOf(latest), latest.version);
    }

    /// @inheritdoc IWorkLedger
    function latestEpoch(uint256 networkId, uint64 epoch) external view returns (EpochVersion memory) {
        return _toView(_requireEpoch(networkId, epoch), true);
    }

    /// @inheritdoc IWorkLedger
    function epochVersion(uint256 networkId, uint64 epoch, uint32 version) external view returns (EpochVersion memory) {
        StoredEpoch storage latest = _epochs[networkId][epoch];
        uint32 latestVersion = latest.version;
        if (version == 0 || version > latestVersion) revert WorkLedgerUnknownVersion(networkId, epoch, version);
        if (version == latestVersion) return _toView(latest, true);
        return _toView(_history[networkId][epoch][version], false);
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
        // An unknown network or epoch has version 0 (and root 0, which no leaf hash can reach).
        if (latest.version == 0 || latest.status == EpochStatus.Voided) return false;
        return MerkleProof.verifyCalldata(proof, latest.root, WorkRecordLib.leafHash(record));
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
        // A root without records (or records without a root), or more active nodes than records.
        if ((summary.recordCount == 0) != (summary.root == bytes32(0)) || summary.activeNodes > summary.recordCount) {
            revert WorkLedgerInvalidSummary(networkId, epoch);
        }
        uint32 setId = net.verifierSetId;
        bytes32 digest = _epochCommitDigest(networkId, epoch, version, summary);
        address[] memory signers = _checkSignatures(networkId, setId, net.threshold, digest, signatures);

        uint64 finalizesAt = uint64(block.timestamp) + net.challengeWindow;
        StoredEpoch storage latest = _epochs[networkId][epoch];
        latest.root = summary.root;
        latest.version = version;
        latest.status = EpochStatus.Pending;
        latest.verifierSetId = setId;
        latest.committedAt = uint64(block.timestamp);
        latest.timer = finalizesAt;
        _emitCommitted(networkId, epoch, version, summary, setId, finalizesAt, signers);
    }

    /// @dev Emits {EpochCommitted} (a separate frame keeps the stack shallow).
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
    /// returns its version. Reverts unless the epoch exists and is not Challenged.
    function _archiveLatest(uint256 networkId, uint64 epoch) private returns (uint32 superseded) {
        StoredEpoch storage latest = _requireEpoch(networkId, epoch);
        EpochStatus status = _statusOf(latest);
        if (status == EpochStatus.Challenged) revert WorkLedgerInvalidEpochStatus(networkId, epoch, status);
        superseded = latest.version;
        StoredEpoch memory copy = latest;
        copy.status = status;
        _history[networkId][epoch][superseded] = copy;
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

    /// @dev The EIP-712 digest of an EpochCommit.
    function _epochCommitDigest(uint256 networkId, uint64 epoch, uint32 version, EpochSummary calldata summary)
        private
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    TypeHashes.EPOCH_COMMIT_TYPEHASH,
                    networkId,
                    epoch,
                    version,
                    summary.root,
                    summary.recordCount,
                    summary.activeNodes,
                    summary.totalWorkUnits,
                    summary.totalRevenue,
                    summary.dataHash
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
        if (n == 0 || n > _MAX_VERIFIERS || threshold == 0 || threshold > n) {
            revert WorkLedgerInvalidThreshold(threshold, n);
        }
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

    /// @dev Status of a stored version now: a Pending version whose window has passed is Final.
    function _statusOf(StoredEpoch storage e) private view returns (EpochStatus) {
        EpochStatus status = e.status;
        if (status == EpochStatus.Pending && block.timestamp >= e.timer) return EpochStatus.Final;
        return status;
    }

    /// @dev The view struct of a stored version; `live` computes Final, a superseded version is frozen.
    function _toView(StoredEpoch storage e, bool live) private view returns (EpochVersion memory v) {
        v.root = e.root;
        v.version = e.version;
        v.status = live ? _statusOf(e) : e.status;
        v.verifierSetId = e.verifierSetId;
        v.committedAt = e.committedAt;
        if (e.status == EpochStatus.Challenged) {
            v.remainingWindow = e.timer;
        } else {
            v.finalizesAt = e.timer;
        }
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

    /// @dev Reverts with {WorkLedgerInvalidChallengeWindow} above MAX_CHALLENGE_WINDOW.
    function _checkChallengeWindow(uint64 challengeWindow) private pure {
        if (challengeWindow > MAX_CHALLENGE_WINDOW) revert WorkLedgerInvalidChallengeWindow(challengeWindow);
    }
}
