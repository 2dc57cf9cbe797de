/**
 * `cargo test` over the Rust workspace (the sampler core and nvml-sim), so that the root
 * `npm test` runs the Rust tests with the TypeScript ones.
 */
import { requireCargo, root, run } from './cargo.mjs';

const label = 'gpu-sampler cargo test';
requireCargo(label, 'the Rust tests of crates/gpu-sampler and crates/nvml-sim were not run');
run('cargo', ['test', '--workspace'], root, label);
