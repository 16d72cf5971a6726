/*
 * The OpenBLAS limit line for W4: float32 GEMM throughput of cblas_sgemm on the three
 * training products of W3 and on 1024^3.
 *
 * Built by the bench (bench/lib/build.mjs):
 *   gcc -O3 -march=native -o build/gemm c/gemm.c -lopenblas
 * Run with OPENBLAS_NUM_THREADS=1 or 2 (the bench does both).
 *
 * Shapes, all row-major, as a training step stores them:
 *   XW    X (64x784)  . W (784x256)               -> 64x256    forward
 *   XtD   X^T         . D (64x256), X is 64x784   -> 784x256   weight gradient
 *   DWt   D (64x256)  . W^T, W is 784x256         -> 64x784    delta of the layer below
 *   1024  A (1024x1024) . B (1024x1024)
 * Each shape: a few untimed calls, then calls repeated until at least minSeconds have passed;
 * the per-call time is that total over the count. Prints one JSON line (BENCH_RESULT ...).
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include "peak_rss.h"
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static float *randm(size_t n, unsigned *seed) {
  float *p = aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64);
  for (size_t i = 0; i < n; i++) {
    *seed = *seed * 1664525u + 1013904223u;
    p[i] = (float)((*seed >> 8) * (1.0 / 16777216.0)) - 0.5f;
  }
  return p;
}

typedef struct {
  const char *name;
  int M, N, K;
  int transA, transB;
} Shape;

int main(int argc, char **argv) {
  if (argc > 1 && !strcmp(argv[1], "--config")) {
    printf("%s\n", openblas_get_config());
    return 0;
  }
  double minSeconds = argc > 1 ? atof(argv[1]) : 0.3;
  Shape shapes[] = {
      {"XW", 64, 256, 784, 0, 0},
      {"XtD", 784, 256, 64, 1, 0},
      {"DWt", 64, 784, 256, 0, 1},
      {"1024", 1024, 1024, 1024, 0, 0},
  };
  unsigned seed = 12345;
  printf("BENCH_RESULT {\"threads\":%d,\"config\":\"%s\",\"parts\":[", openblas_get_num_threads(),
         openblas_get_config());
  for (int s = 0; s < 4; s++) {
    Shape sh = shapes[s];
    float *A = randm((size_t)sh.M * sh.K, &seed);
    float *B = randm((size_t)sh.K * sh.N, &seed);
    float *C = randm((size_t)sh.M * sh.N, &seed);
    /* stored shapes: A is M x K (or K x M when transposed), B is K x N (or N x K) */
    int lda = sh.transA ? sh.M : sh.K;
    int ldb = sh.transB ? sh.K : sh.N;
    int ldc = sh.N;
    CBLAS_TRANSPOSE ta = sh.transA ? CblasTrans : CblasNoTrans;
    CBLAS_TRANSPOSE tb = sh.transB ? CblasTrans : CblasNoTrans;
    for (int w = 0; w < 3; w++)
      cblas_sgemm(CblasRowMajor, ta, tb, sh.M, sh.N, sh.K, 1.0f, A, lda, B, ldb, 0.0f, C, ldc);
    long reps = 0;
    double t0 = now(), t;
    do {
      cblas_sgemm(CblasRowMajor, ta, tb, sh.M, sh.N, sh.K, 1.0f, A, lda, B, ldb, 0.0f, C, ldc);
      reps++;
      t = now() - t0;
    } while (t < minSeconds);
    double per = t / reps;
    double flops = 2.0 * sh.M * sh.N * sh.K;
    printf("%s{\"shape\":\"%s\",\"seconds\":%.9g,\"gflops\":%.4f,\"reps\":%ld,\"check\":%.6g}", s ? "," : "",
           sh.name, per, flops / per * 1e-9, reps, (double)C[0]);
    free(A);
    free(B);
    free(C);
  }
  printf("],\"peakRssMB\":%.3f}\n", peak_rss_mb());
  return 0;
}
