/*
 * The C limit line: a plain C implementation of the benchmark's training loops.
 *
 * Built twice by the bench (bench/lib/build.mjs):
 *   gcc -O3 -march=native -DREAL=double -o build/train_f64 c/train.c -lm
 *   gcc -O3 -march=native -DREAL=float  -o build/train_f32 c/train.c -lm
 *
 * Usage: train_fXX <W1|W2|W3> <data.bin> <eval-rows>
 *
 * data.bin (written by bench/lib/data.mjs): int32 n, nin, nout, 0 (padding), then n*nin float64
 * inputs and n*nout float64 targets, row-major, little-endian.
 *
 * The maths is the suite's definition of each workload (bench/lib/workloads.mjs):
 *   W1  2-2-1 sigmoid, loss 1/2 * sum over samples and outputs of (y - t)^2,
 *       full batch (4), plain SGD lr 0.5, 10,000 epochs.
 *   W2  4-16-3 sigmoid, loss 1/(2N) * sum of (y - t)^2 (mean over samples),
 *       full batch (150), plain SGD lr 0.5, 2,000 epochs.
 *   W3  784-256-128-10, sigmoid hidden, softmax output, cross-entropy averaged
 *       over the mini-batch, batch 64 (last batch smaller), plain SGD lr 0.1, 1 epoch.
 * Weights: Glorot uniform, +-sqrt(6/(fan_in+fan_out)), from a fixed-seed xorshift generator, biases 0.
 * Only the training loop is timed (CLOCK_MONOTONIC). The program prints one JSON line:
 * seconds, peakRssMB (VmHWM, see peak_rss.h) and the first <eval-rows> rows' outputs
 * after training, so the harness judges convergence exactly as for the JS libraries.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include "peak_rss.h"
#include <time.h>

#ifndef REAL
#define REAL double
#endif
typedef REAL real;

#define MAXL 4

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static double urand(void) {
  /* xorshift64* */
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return (double)((rng_state * 0x2545F4914F6CDD1Dull) >> 11) * (1.0 / 9007199254740992.0);
}

static void *xalloc(size_t n) {
  void *p = aligned_alloc(64, (n + 63) / 64 * 64);
  if (!p) { fprintf(stderr, "out of memory\n"); exit(2); }
  memset(p, 0, n);
  return p;
}

typedef struct {
  int nl;              /* number of weight layers */
  int size[MAXL + 1];  /* size[0] inputs ... size[nl] outputs */
  real *W[MAXL];       /* size[l] x size[l+1], row-major */
  real *b[MAXL];
  real *dW[MAXL];
  real *db[MAXL];
  real *A[MAXL + 1];   /* activations, batch x size[l]; A[0] points into the data */
  real *D[MAXL + 1];   /* deltas, batch x size[l] */
  int softmax;         /* output: 1 = softmax + cross-entropy, 0 = sigmoid + squared error */
} Net;

static void net_init(Net *n, const int *sizes, int nl, int maxBatch, int softmax) {
  n->nl = nl;
  n->softmax = softmax;
  for (int l = 0; l <= nl; l++) n->size[l] = sizes[l];
  for (int l = 0; l < nl; l++) {
    int in = sizes[l], out = sizes[l + 1];
    n->W[l] = xalloc(sizeof(real) * in * out);
    n->dW[l] = xalloc(sizeof(real) * in * out);
    n->b[l] = xalloc(sizeof(real) * out);
    n->db[l] = xalloc(sizeof(real) * out);
    double r = sqrt(6.0 / (in + out)); /* Glorot (Xavier) uniform, as TF.js and backprop use */
    for (int i = 0; i < in * out; i++) n->W[l][i] = (real)((2.0 * urand() - 1.0) * r);
  }
  for (int l = 1; l <= nl; l++) {
    n->A[l] = xalloc(sizeof(real) * maxBatch * sizes[l]);
    n->D[l] = xalloc(sizeof(real) * maxBatch * sizes[l]);
  }
  n->D[0] = NULL;
}

static inline real sigm(real z) { return (real)1 / ((real)1 + (real)exp(-(double)z)); }

/* dot product with 16 independent accumulators, so -O3 vectorises it without -ffast-math */
static inline real dot(const real *restrict a, const real *restrict b, int n) {
  real acc[16] = {0};
  int j = 0;
  for (; j + 16 <= n; j += 16)
    for (int u = 0; u < 16; u++) acc[u] += a[j + u] * b[j + u];
  real s = 0;
  for (int u = 0; u < 16; u++) s += acc[u];
  for (; j < n; j++) s += a[j] * b[j];
  return s;
}

static void forward(Net *n, const real *X, int B) {
  n->A[0] = (real *)X;
  for (int l = 0; l < n->nl; l++) {
    int in = n->size[l], out = n->size[l + 1];
    const real *restrict Ain = n->A[l];
    real *restrict Z = n->A[l + 1];
    const real *restrict W = n->W[l];
    const real *restrict bias = n->b[l];
    for (int i = 0; i < B; i++) {
      real *restrict z = Z + (size_t)i * out;
      for (int j = 0; j < out; j++) z[j] = bias[j];
      const real *a = Ain + (size_t)i * in;
      for (int k = 0; k < in; k++) {
        real ak = a[k];
        const real *restrict w = W + (size_t)k * out;
        for (int j = 0; j < out; j++) z[j] += ak * w[j];
      }
      if (l == n->nl - 1 && n->softmax) {
        real m = z[0];
        for (int j = 1; j < out; j++) if (z[j] > m) m = z[j];
        real s = 0;
        for (int j = 0; j < out; j++) { z[j] = (real)exp((double)(z[j] - m)); s += z[j]; }
        for (int j = 0; j < out; j++) z[j] /= s;
      } else {
        for (int j = 0; j < out; j++) z[j] = sigm(z[j]);
      }
    }
  }
}

/* one SGD step on a batch: deltas, gradients, update. scale multiplies the output delta. */
static void backward_update(Net *n, const real *T, int B, real scale, real lr) {
  int L = n->nl;
  int nout = n->size[L];
  real *restrict Y = n->A[L];
  real *restrict DL = n->D[L];
  for (int i = 0; i < B * nout; i++) {
    real e = Y[i] - T[i];
    DL[i] = n->softmax ? e * scale : e * Y[i] * ((real)1 - Y[i]) * scale;
  }
  for (int l = L - 1; l >= 0; l--) {
    int in = n->size[l], out = n->size[l + 1];
    const real *restrict Ain = n->A[l];
    const real *restrict D = n->D[l + 1];
    real *restrict dW = n->dW[l];
    real *restrict db = n->db[l];
    real *restrict W = n->W[l];
    memset(dW, 0, sizeof(real) * in * out);
    memset(db, 0, sizeof(real) * out);
    /* dW = Ain^T . D, db = column sums of D */
    for (int i = 0; i < B; i++) {
      const real *restrict d = D + (size_t)i * out;
      const real *restrict a = Ain + (size_t)i * in;
      for (int j = 0; j < out; j++) db[j] += d[j];
      for (int k = 0; k < in; k++) {
        real ak = a[k];
        real *restrict g = dW + (size_t)k * out;
        for (int j = 0; j < out; j++) g[j] += ak * d[j];
      }
    }
    /* delta of the layer below: (D . W^T) * sigma'(A) — not needed for the input layer */
    if (l > 0) {
      real *restrict Dp = n->D[l];
      for (int i = 0; i < B; i++) {
        const real *d = D + (size_t)i * out;
        const real *a = Ain + (size_t)i * in;
        real *dp = Dp + (size_t)i * in;
        for (int k = 0; k < in; k++) dp[k] = dot(d, W + (size_t)k * out, out) * a[k] * ((real)1 - a[k]);
      }
    }
    for (int i = 0; i < in * out; i++) W[i] -= lr * dW[i];
    for (int j = 0; j < out; j++) n->b[l][j] -= lr * db[j];
  }
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  if (argc < 4) { fprintf(stderr, "usage: %s W1|W2|W3 data.bin eval-rows\n", argv[0]); return 2; }
  const char *w = argv[1];
  FILE *f = fopen(argv[2], "rb");
  if (!f) { perror(argv[2]); return 2; }
  int32_t hdr[4]; /* n, nin, nout, padding */
  if (fread(hdr, 4, 4, f) != 4) { fprintf(stderr, "bad header\n"); return 2; }
  int n = hdr[0], nin = hdr[1], nout = hdr[2];
  double *buf = malloc(sizeof(double) * (size_t)n * (nin + nout));
  if (fread(buf, sizeof(double), (size_t)n * (nin + nout), f) != (size_t)n * (nin + nout)) {
    fprintf(stderr, "short data file\n");
    return 2;
  }
  fclose(f);
  real *X = xalloc(sizeof(real) * (size_t)n * nin);
  real *T = xalloc(sizeof(real) * (size_t)n * nout);
  for (size_t i = 0; i < (size_t)n * nin; i++) X[i] = (real)buf[i];
  for (size_t i = 0; i < (size_t)n * nout; i++) T[i] = (real)buf[(size_t)n * nin + i];
  free(buf);
  int evalRows = atoi(argv[3]);
  if (evalRows > n) evalRows = n;

  Net net;
  int epochs, batch, softmax;
  real lr, scale;
  if (!strcmp(w, "W1")) {
    int s[] = {2, 2, 1};
    epochs = 10000; batch = n; lr = (real)0.5; softmax = 0; scale = 1; /* half sum of squares */
    net_init(&net, s, 2, batch, softmax);
  } else if (!strcmp(w, "W2")) {
    int s[] = {4, 16, 3};
    epochs = 2000; batch = n; lr = (real)0.5; softmax = 0; scale = (real)1 / n; /* SS / (2N) */
    net_init(&net, s, 2, batch, softmax);
  } else if (!strcmp(w, "W3")) {
    int s[] = {784, 256, 128, 10};
    epochs = 1; batch = 64; lr = (real)0.1; softmax = 1; scale = 0; /* set per batch: 1/B */
    net_init(&net, s, 3, batch, softmax);
  } else {
    fprintf(stderr, "unknown workload %s\n", w);
    return 2;
  }
  if (net.size[0] != nin || net.size[net.nl] != nout) { fprintf(stderr, "data shape mismatch\n"); return 2; }

  double t0 = now();
  for (int e = 0; e < epochs; e++) {
    for (int start = 0; start < n; start += batch) {
      int B = n - start < batch ? n - start : batch;
      forward(&net, X + (size_t)start * nin, B);
      backward_update(&net, T + (size_t)start * nout, B, softmax ? (real)1 / B : scale, lr);
    }
  }
  double secs = now() - t0;

  /* peak RSS of training, before the evaluation below */
  printf("BENCH_RESULT {\"seconds\":%.9f,\"peakRssMB\":%.3f,\"outputs\":[", secs, peak_rss_mb());
  for (int start = 0; start < evalRows; start += batch) {
    int B = evalRows - start < batch ? evalRows - start : batch;
    forward(&net, X + (size_t)start * nin, B);
    const real *Y = net.A[net.nl];
    for (int i = 0; i < B; i++) {
      printf(start + i ? ",[" : "[");
      for (int j = 0; j < nout; j++) printf(j ? ",%.9g" : "%.9g", (double)Y[(size_t)i * nout + j]);
      printf("]");
    }
  }
  printf("]}\n");
  return 0;
}
