//! Makes binaries and tests of this crate find libtorch at run time.
//!
//! torch-sys links libtorch but gives the final binaries no rpath, so they
//! would need `LD_LIBRARY_PATH`. torch-sys publishes its library directory as
//! `DEP_TCH_LIBTORCH_LIB` (its `links = "tch"`); we turn it into an rpath.
//! `--no-as-needed -ltorch_cuda` keeps the CUDA library linked although no
//! symbol of it is referenced directly; without it `tch::Cuda::is_available()`
//! reports false on a GPU machine.

fn main() {
    println!("cargo:rerun-if-env-changed=DEP_TCH_LIBTORCH_LIB");
    let Ok(lib) = std::env::var("DEP_TCH_LIBTORCH_LIB") else {
        return;
    };
    let lib_dir = std::path::Path::new(&lib);
    // Resolve the `.libtorch` symlink so the rpath survives its removal.
    let lib_dir = lib_dir
        .canonicalize()
        .unwrap_or_else(|_| lib_dir.to_path_buf());
    println!("cargo:rustc-link-arg=-Wl,-rpath,{}", lib_dir.display());
    // Published to dependents (DEP_CODEQUAL_GRPO_LIBTORCH_LIB) so binaries
    // built on this crate can add the same rpath.
    println!("cargo:libtorch_lib={}", lib_dir.display());
    if lib_dir.join("libtorch_cuda.so").exists() {
        println!("cargo:rustc-link-arg=-Wl,--no-as-needed");
        println!("cargo:rustc-link-arg=-ltorch_cuda");
        println!("cargo:rustc-link-arg=-Wl,--as-needed");
    }
}
