// The V8 settings the web and worker processes start with (npm start, docker-compose through package.json's
// start:web and start:worker, and the tests' app). V8's defaults let a busy process's heap grow far past what
// it keeps alive before collecting; a young generation of 8 MB per half and an old generation grown at most
// twofold per collection keep web + worker near their live size under load (≈ 550 MB peak instead of ≈ 860 MB
// in the webhook benchmark, same throughput within its noise: README, Benchmarks).
export const PROCESS_NODE_FLAGS = ["--max-semi-space-size=8", "--heap-growing-percent=100"];
