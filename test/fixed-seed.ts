// Property tests run on one fixed seed, so a run that fails fails again the same way; fast-check's
// failure message names the seed and the path of the counterexample. FC_SEED tries another one.
import fc from 'fast-check';

const seed = Number(process.env.FC_SEED ?? 20_261_203);
fc.configureGlobal({ seed: Number.isSafeInteger(seed) ? seed : 20_261_203 });
