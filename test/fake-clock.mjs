// Preloaded into the CLI under test (NODE_OPTIONS=--import=<this file>) to move its clock: the
// process starts at FAKE_CLOCK_NOW (ISO) and time runs on from there, so durations (timeouts,
// retries, the deadline) stay real while "today" is the day a test chose. Without the variable it
// does nothing.
const target = Date.parse(process.env.FAKE_CLOCK_NOW ?? '');
if (Number.isFinite(target)) {
  const RealDate = globalThis.Date;
  const offset = target - RealDate.now();
  class FakeDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + offset);
      else super(...args);
    }
    static now() {
      return RealDate.now() + offset;
    }
  }
  globalThis.Date = FakeDate;
}
