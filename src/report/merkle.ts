/**
 * Moved to src/merkle/epochTree.ts (H2): report/ should import from "../merkle". Transition
 * re-export under the old names, removed once report/ and its tests import ../merkle.
 */
export type { EpochTree, BundleLike } from "../merkle/epochTree";
export { recordTreeSync, epochFromBundle, buildEpochTree as buildRecordTree, buildEpochTreeSync as buildRecordTreeSync } from "../merkle/epochTree";
