/**
 * The SDK's refusals in tests: a job refused with InvalidInputError (or its ContractRefusedError
 * subclass) exits 2. `refusal(promise)` awaits it, asserts that, and returns the error for its message.
 */
import { expect } from "chai";

import { InvalidInputError } from "../../src/errors";

/** Awaits `p`, which must reject with an InvalidInputError of exit code 2; returns the error. */
export async function refusal(p: Promise<unknown>): Promise<InvalidInputError> {
  try {
    await p;
  } catch (e) {
    expect(e, String(e)).to.be.instanceOf(InvalidInputError);
    expect((e as InvalidInputError).exitCode).to.equal(2);
    return e as InvalidInputError;
  }
  throw new Error("expected a refusal");
}
