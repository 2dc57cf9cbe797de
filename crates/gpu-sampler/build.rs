//! napi-build sets the linker flags a Node addon needs; plain `cargo test` builds skip it.
fn main() {
    #[cfg(feature = "napi")]
    napi_build::setup();
}
