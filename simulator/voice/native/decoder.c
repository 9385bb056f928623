/*
 * The voice's decoding kernels: int8 matrix products and one whole Llama decode
 * step, for the CPU the program runs on.
 *
 * Why C: at batch 1 a token's cost is reading the weights (134 MB of int8 for
 * SmolLM2-135M). This machine reads memory at about 18 GB/s with two cores, so a
 * token could take ~7.5 ms, but fbgemm's int8 matrix-vector products reached
 * only ~8 GB/s, and the ~900 torch calls a token made around them cost another
 * 4-6 ms of Python and dispatch. Here a decode step is one call: every product
 * is u8 x s8 dot products (AVX-512 VNNI where the CPU has it, AVX2 or plain C
 * otherwise) over weights read once, and the norms, rotary embedding, attention
 * and MLP between them run on buffers that stay in cache.
 *
 * The mathematics is FastLlama's in simulator/voice/fast_llama.py, which keeps
 * the tensors (weights, KV cache) and calls in here through ctypes. Weights are
 * int8 per output row, activations are quantized per row on the fly (as fbgemm's
 * dynamic linear does), RMSNorm weights are folded into the next matrix's columns.
 *
 * Built once per machine with `cc -O3 -march=native -fopenmp` (native/__init__.py);
 * without a compiler the voice runs the same model through torch instead.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VNNI__)
#define KERNEL "avx512-vnni"
#define VNNI512 1
#elif defined(__AVX2__) && defined(__FMA__)
#define KERNEL "avx2"
#define AVX2 1
#else
#define KERNEL "portable"
#endif

#define ALIGN 64 /* columns are padded to a multiple of this (zeros) */
#define TILE 16 /* output rows per packed tile (see tiles()) */
#define ROW_BLOCK 32 /* output rows per unit of parallel work: two tiles */

static int threads = 1; /* per parallel region: set_threads() */

typedef struct {
    /* Rows come in tiles of 16: n is a multiple of 16 (the caller pads with zero rows). */
    const int8_t *w;        /* [n / 16][kp / 4][16][4]: see tiles(); columns k..kp are zero */
    const float *scale;     /* [n]: the row's int8 step */
    const int32_t *rowsum;  /* [n]: sum of the row's int8 values (undoes the u8 offset) */
    int n, k, kp;
} Matrix;

typedef struct {
    int layers, hidden, heads, kv_heads, head_dim, inter, vocab;
    float eps;
    const Matrix *qkv, *o, *gate_up, *down; /* [layers] each */
    const Matrix *lm_head;
} Model;

const char *kernel_name(void) { return KERNEL; }

static inline int pad_to(int k) { return (k + ALIGN - 1) / ALIGN * ALIGN; }

/*
 * Quantize rows of x to u8 (x / step + 128, step = max|x| / 127) into xq [m, kp],
 * padding with the zero point. mul[m] = step * (1 / rms(x) if norm else 1): the
 * factor the integer dot products are multiplied by.
 */
static void quantize_rows(const float *x, int m, int k, int ldx, int kp, float eps, int norm,
                          uint8_t *xq, float *mul)
{
    for (int r = 0; r < m; r++) {
        const float *row = x + (size_t)r * ldx;
        float amax = 0.0f, squares = 0.0f;
        for (int i = 0; i < k; i++) {
            float a = fabsf(row[i]);
            amax = a > amax ? a : amax;
            squares += row[i] * row[i];
        }
        float step = amax > 0.0f ? amax / 127.0f : 1.0f;
        float inv = 1.0f / step;
        uint8_t *out = xq + (size_t)r * kp;
        for (int i = 0; i < k; i++) {
            /* |x * inv| <= 127 by construction; rounding half away from zero, written so it vectorizes */
            float v = row[i] * inv;
            out[i] = (uint8_t)((int)(v + (v >= 0.0f ? 0.5f : -0.5f)) + 128);
        }
        memset(out + k, 128, (size_t)(kp - k));
        mul[r] = norm ? step / sqrtf(squares / (float)k + eps) : step;
    }
}

/*
 * Products over packed weights. A tile is 16 output rows; inside it, for each
 * group of 4 columns, the 16 rows' 4 bytes follow each other (64 bytes), which is
 * the operand VNNI's dpbusd takes: one instruction multiplies 4 activations
 * (broadcast) by 16 rows' 4 weights and adds into 16 sums, so a tile's 16 dot
 * products end in one register and need no horizontal sums.
 *
 * tiles(): for MT (<= 4) activation rows and NT (<= 2) tiles at w,
 * y[m, t * 16 + r] (+)= mul[m] * scale[r] * ((xq[m] - 128) . row r).
 */
static inline __attribute__((always_inline)) void
tiles(const uint8_t *xq, int kp, const int8_t *w, const int32_t *rowsum, const float *scale, const float *mul,
      int MT, int NT, float *y, int ldy, int accumulate)
{
    const size_t tile = (size_t)TILE * kp;
#if defined(VNNI512)
    __m512i acc[2][4];
    for (int t = 0; t < NT; t++)
        for (int m = 0; m < MT; m++) acc[t][m] = _mm512_setzero_si512();
    for (int k = 0; k < kp; k += 4) {
        __m512i wv[2];
        for (int t = 0; t < NT; t++) wv[t] = _mm512_loadu_si512((const void *)(w + t * tile + (size_t)k * TILE));
        for (int m = 0; m < MT; m++) {
            int32_t four;
            memcpy(&four, xq + (size_t)m * kp + k, 4);
            __m512i xv = _mm512_set1_epi32(four);
            for (int t = 0; t < NT; t++) acc[t][m] = _mm512_dpbusd_epi32(acc[t][m], xv, wv[t]);
        }
    }
    for (int t = 0; t < NT; t++) {
        /* u8 activations are x + 128: take 128 times each row's sum back off. */
        __m512i zero = _mm512_slli_epi32(_mm512_loadu_si512((const void *)(rowsum + t * TILE)), 7);
        __m512 s = _mm512_loadu_ps(scale + t * TILE);
        for (int m = 0; m < MT; m++) {
            float *out = y + (size_t)m * ldy + t * TILE;
            __m512 v = _mm512_mul_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(acc[t][m], zero)), s),
                                     _mm512_set1_ps(mul[m]));
            if (accumulate) v = _mm512_add_ps(v, _mm512_loadu_ps(out));
            _mm512_storeu_ps(out, v);
        }
    }
#else
    int32_t d[4][2 * TILE];
#if defined(AVX2)
    /* No VNNI: u8 x s8 pairs summed to int16 (maddubs), then to int32 (madd). The sum
       of two products, up to 2 * 255 * 127, can pass int16's range, so each weight's
       sign moves onto its (signed, |x| <= 127) activation first. A register holds 8
       rows' 4 bytes: half a tile. */
    const __m256i ones = _mm256_set1_epi16(1), offset = _mm256_set1_epi8((char)128);
    __m256i acc[4][4];
    for (int h = 0; h < 2 * NT; h++)
        for (int m = 0; m < MT; m++) acc[h][m] = _mm256_setzero_si256();
    for (int k = 0; k < kp; k += 4) {
        __m256i wv[4], wa[4];
        for (int h = 0; h < 2 * NT; h++) {
            wv[h] = _mm256_loadu_si256((const __m256i *)(w + (h / 2) * tile + (size_t)k * TILE + (h % 2) * 32));
            wa[h] = _mm256_sign_epi8(wv[h], wv[h]);
        }
        for (int m = 0; m < MT; m++) {
            int32_t four;
            memcpy(&four, xq + (size_t)m * kp + k, 4);
            __m256i xs = _mm256_sub_epi8(_mm256_set1_epi32(four), offset);
            for (int h = 0; h < 2 * NT; h++) {
                __m256i p = _mm256_maddubs_epi16(wa[h], _mm256_sign_epi8(xs, wv[h]));
                acc[h][m] = _mm256_add_epi32(acc[h][m], _mm256_madd_epi16(p, ones));
            }
        }
    }
    for (int h = 0; h < 2 * NT; h++)
        for (int m = 0; m < MT; m++) _mm256_storeu_si256((__m256i *)(d[m] + h * 8), acc[h][m]);
#else
    for (int m = 0; m < MT; m++)
        for (int i = 0; i < NT * TILE; i++) d[m][i] = 0;
    for (int t = 0; t < NT; t++)
        for (int k = 0; k < kp; k += 4)
            for (int r = 0; r < TILE; r++) {
                const int8_t *four = w + t * tile + (size_t)k * TILE + r * 4;
                for (int m = 0; m < MT; m++) {
                    const uint8_t *x = xq + (size_t)m * kp + k;
                    d[m][t * TILE + r] += ((int32_t)x[0] - 128) * four[0] + ((int32_t)x[1] - 128) * four[1] +
                                          ((int32_t)x[2] - 128) * four[2] + ((int32_t)x[3] - 128) * four[3];
                }
            }
#endif
    (void)rowsum; /* these paths compute the signed products directly */
    for (int m = 0; m < MT; m++) {
        float *out = y + (size_t)m * ldy;
        for (int i = 0; i < NT * TILE; i++) {
            float v = (float)d[m][i] * scale[i] * mul[m];
            out[i] = accumulate ? out[i] + v : v;
        }
    }
#endif
}

/* Rows n0..n1 (whole tiles) of y for all m activation rows. */
static void product_rows(const uint8_t *xq, const float *mul, int m, const Matrix *W, int n0, int n1,
                         float *y, int ldy, int accumulate)
{
    for (int r = 0; r < m; r += 4) {
        const uint8_t *x = xq + (size_t)r * W->kp;
        for (int n = n0; n < n1; n += 2 * TILE) {
            const int8_t *w = W->w + (size_t)n * W->kp;
            const int32_t *sums = W->rowsum + n;
            const float *s = W->scale + n;
            float *out = y + (size_t)r * ldy + n;
            int two = n1 - n >= 2 * TILE;
#define TILES(MT)                                                                        \
    (two ? tiles(x, W->kp, w, sums, s, mul + r, MT, 2, out, ldy, accumulate)             \
         : tiles(x, W->kp, w, sums, s, mul + r, MT, 1, out, ldy, accumulate))
            switch (m - r >= 4 ? 4 : m - r) {
            case 1: TILES(1); break;
            case 2: TILES(2); break;
            case 3: TILES(3); break;
            default: TILES(4); break;
            }
#undef TILES
        }
    }
}

/* y [m, n] (+)= quantized(x) W^T, rows in parallel blocks. n is a multiple of 16. */
static void product(const uint8_t *xq, const float *mul, int m, const Matrix *W, int n,
                    float *y, int ldy, int accumulate)
{
    int blocks = (n + ROW_BLOCK - 1) / ROW_BLOCK;
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int b = 0; b < blocks; b++) {
        int n0 = b * ROW_BLOCK, n1 = n0 + ROW_BLOCK < n ? n0 + ROW_BLOCK : n;
        product_rows(xq, mul, m, W, n0, n1, y, ldy, accumulate);
    }
}

/*
 * y [m, W.n] (+)= x W^T for float rows x [m, W.k] (stride ldx); with norm, x is
 * first divided by its root mean square (RMSNorm; its weight is in W). Returns 0,
 * or -1 when out of memory.
 */
int linear(const float *x, int m, int ldx, const Matrix *W, float eps, int norm, float *y, int ldy,
           int accumulate)
{
    uint8_t *xq = malloc((size_t)m * W->kp);
    float *mul = malloc(sizeof(float) * (size_t)m);
    if (!xq || !mul) {
        free(xq);
        free(mul);
        return -1;
    }
    quantize_rows(x, m, W->k, ldx, W->kp, eps, norm, xq, mul);
    product(xq, mul, m, W, W->n, y, ldy, accumulate);
    free(xq);
    free(mul);
    return 0;
}

/*
 * exp(x) for 8 floats at a time, to about one part in 10^7. libm's expf is a call
 * per element, and the softmax and SiLU of a token made ~90,000 of them (~2 ms).
 * Cephes' expf: 2^n by the exponent bits, e^r on [-ln2/2, ln2/2] by polynomial,
 * written in GCC's vector extensions so every x86-64 (or other) target vectorizes it.
 */
typedef float v8f __attribute__((vector_size(32), aligned(4)));
typedef int32_t v8i __attribute__((vector_size(32), aligned(4)));

static inline v8f exp8(v8f x)
{
    const v8f lo = (v8f){0} - 87.0f, hi = (v8f){0} + 88.0f;
    v8i below = x < lo, above = x > hi;
    x = (v8f)(((v8i)x & ~below) | ((v8i)lo & below));
    x = (v8f)(((v8i)x & ~above) | ((v8i)hi & above));
    const float magic = 12582912.0f; /* 1.5 * 2^23: adding it rounds to an integer */
    v8f n = (x * 1.44269504088896341f + magic) - magic;
    v8f r = x - n * 0.693359375f + n * 2.12194440e-4f;
    v8f p = r * 1.9875691500e-4f + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    v8i two = (__builtin_convertvector(n, v8i) + 127) << 23;
    return (p * r * r + r + 1.0f) * (v8f)two;
}

/* p[i] = exp(p[i] - shift), returning the sum. */
static float exp_shifted(float *p, int n, float shift)
{
    int i = 0;
    v8f total8 = (v8f){0};
    for (; i + 8 <= n; i += 8) {
        v8f v;
        memcpy(&v, p + i, sizeof v);
        v = exp8(v - shift);
        memcpy(p + i, &v, sizeof v);
        total8 += v;
    }
    float total = 0.0f;
    for (int j = 0; j < 8; j++) total += total8[j];
    for (; i < n; i++) total += (p[i] = expf(p[i] - shift));
    return total;
}

/* g[i] = silu(g[i]) * u[i] */
static void silu_times(float *g, const float *u, int n)
{
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        v8f a, b;
        memcpy(&a, g + i, sizeof a);
        memcpy(&b, u + i, sizeof b);
        a = a / (1.0f + exp8(-a)) * b;
        memcpy(g + i, &a, sizeof a);
    }
    for (; i < n; i++) g[i] = g[i] / (1.0f + expf(-g[i])) * u[i];
}

static inline float dot(const float *a, const float *b, int n)
{
    float s = 0.0f;
#pragma omp simd reduction(+ : s)
    for (int i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

/* Rotary embedding of one head in place; sin carries rotate_half's sign. */
static void rotate(float *x, const float *cos, const float *sin, int dim)
{
    int half = dim / 2;
    for (int i = 0; i < half; i++) {
        float a = x[i], b = x[i + half];
        x[i] = a * cos[i] + b * sin[i];
        x[i + half] = b * cos[i + half] + a * sin[i + half];
    }
}

/*
 * `steps` new tokens for each of `batch` rows, all rows at the same positions: a
 * prompt (one row, many steps) or a decode step (many rows, one step each).
 *
 * h [batch * steps, hidden]: the tokens' embeddings in (row-major: row b's steps
 * together); overwritten with the last hidden states.
 * own[layer]: the rows' cache [batch, 2 * kv_heads, own_cap, head_dim] (keys, then
 * values), filled up to own_len; the new keys and values go from own_len on.
 * shared[layer] (or NULL when prefix == 0): [2 * kv_heads, prefix, head_dim], the
 * prompt all rows share, read once for all of them; it comes before `own`.
 * cos, sin: the rotary factors of the first new position, the next position
 * `rope_stride` floats further on (sin with rotate_half's sign).
 * logits [batch, lm_head.n] out, at each row's last step (lm_head.n: the vocabulary
 * rounded up to a multiple of 16). Returns 0, or -1 when out of memory.
 */
int forward(const Model *md, float *h, int batch, int steps, float *const *own, int own_len, int own_cap,
            const float *const *shared, int prefix, const float *cos, const float *sin, int rope_stride,
            float *logits)
{
    const int D = md->head_dim, H = md->heads, KV = md->kv_heads, group = H / KV;
    const int width = (H + 2 * KV) * D, hidden = md->hidden, inter = md->inter;
    const int rows = batch * steps, most_seen = prefix + own_len + steps;
    int kp_max = pad_to(hidden > inter ? hidden : inter);
    if (H * D > kp_max) kp_max = pad_to(H * D);
    if (md->lm_head->kp > kp_max) kp_max = md->lm_head->kp;
    float *qkv = malloc(sizeof(float) * (size_t)rows * width);
    float *attn = malloc(sizeof(float) * (size_t)rows * H * D);
    float *gate_up = malloc(sizeof(float) * (size_t)rows * 2 * inter);
    float *mul = malloc(sizeof(float) * (size_t)rows);
    uint8_t *xq = malloc((size_t)rows * kp_max);
    int failed = !qkv || !attn || !gate_up || !mul || !xq;
    const float scale = 1.0f / sqrtf((float)D);

    for (int l = 0; l < md->layers && !failed; l++) {
        const Matrix *Wqkv = md->qkv + l, *Wo = md->o + l, *Wgu = md->gate_up + l, *Wd = md->down + l;
        quantize_rows(h, rows, hidden, hidden, Wqkv->kp, md->eps, 1, xq, mul);
        product(xq, mul, rows, Wqkv, width, qkv, width, 0);

        float *store = own[l];
        for (int r = 0; r < rows; r++) {
            int b = r / steps, t = r % steps;
            float *row = qkv + (size_t)r * width;
            for (int j = 0; j < H + KV; j++)
                rotate(row + (size_t)j * D, cos + (size_t)t * rope_stride, sin + (size_t)t * rope_stride, D);
            for (int j = 0; j < 2 * KV; j++)
                memcpy(store + (((size_t)b * 2 * KV + j) * own_cap + own_len + t) * D, row + (size_t)(H + j) * D,
                       sizeof(float) * D);
        }

#pragma omp parallel num_threads(threads)
        {
            /* Each thread's scores; every query sees the shared prompt, its row's
               cache and its own row's new positions up to itself. */
            float *p = malloc(sizeof(float) * (size_t)most_seen);
            if (!p) {
#pragma omp atomic write
                failed = 1;
            }
#pragma omp for schedule(static)
            for (int task = 0; task < rows * H; task++) {
                if (!p) continue;
                int r = task / H, j = task % H, g = j / group, b = r / steps, t = r % steps;
                int seen = prefix + own_len + t + 1;
                const float *q = qkv + (size_t)r * width + (size_t)j * D;
                const float *sk = prefix ? shared[l] + (size_t)g * prefix * D : NULL;
                const float *sv = prefix ? shared[l] + (size_t)(KV + g) * prefix * D : NULL;
                const float *ok = store + ((size_t)b * 2 * KV + g) * own_cap * D;
                const float *ov = store + ((size_t)b * 2 * KV + KV + g) * own_cap * D;
                float top = -INFINITY;
                for (int s = 0; s < prefix; s++) p[s] = dot(q, sk + (size_t)s * D, D) * scale;
                for (int s = prefix; s < seen; s++) p[s] = dot(q, ok + (size_t)(s - prefix) * D, D) * scale;
                for (int s = 0; s < seen; s++) top = p[s] > top ? p[s] : top;
                float inv = 1.0f / exp_shifted(p, seen, top);
                float *out = attn + (size_t)r * H * D + (size_t)j * D;
                for (int i = 0; i < D; i++) out[i] = 0.0f;
                for (int s = 0; s < seen; s++) {
                    const float *value = s < prefix ? sv + (size_t)s * D : ov + (size_t)(s - prefix) * D;
                    float w = p[s] * inv;
                    for (int i = 0; i < D; i++) out[i] += w * value[i];
                }
            }
            free(p);
        }
        if (failed) break;

        quantize_rows(attn, rows, H * D, H * D, Wo->kp, md->eps, 0, xq, mul);
        product(xq, mul, rows, Wo, hidden, h, hidden, 1);

        quantize_rows(h, rows, hidden, hidden, Wgu->kp, md->eps, 1, xq, mul);
        product(xq, mul, rows, Wgu, 2 * inter, gate_up, 2 * inter, 0);
        for (int r = 0; r < rows; r++) {
            float *g = gate_up + (size_t)r * 2 * inter, *u = g + inter;
            silu_times(g, u, inter);
        }
        quantize_rows(gate_up, rows, inter, 2 * inter, Wd->kp, md->eps, 0, xq, mul);
        product(xq, mul, rows, Wd, hidden, h, hidden, 1);
    }
    if (!failed) {
        /* Logits only where they are used: each row's last step. */
        const float *last = h + (size_t)(steps - 1) * hidden;
        quantize_rows(last, batch, hidden, steps * hidden, md->lm_head->kp, md->eps, 1, xq, mul);
        product(xq, mul, batch, md->lm_head, md->lm_head->n, logits, md->lm_head->n, 0);
    }
    free(qkv), free(attn), free(gate_up), free(mul), free(xq);
    return failed ? -1 : 0;
}

/* Threads per parallel region. A plain variable rather than omp_set_num_threads(),
   which only sets it for the calling thread: the voice loads in one thread and may
   decode in another. */
void set_threads(int n)
{
    threads = n > 0 ? n : 1;
}
