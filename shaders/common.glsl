// common.glsl: shared declarations for every pass: workgroup size, half4 packing, colour maths,
// bilinear sampling and the structure tensor's directions. Mirrored in engine/color.h and
// engine/stage-private.h for the C references.

layout (local_size_x_id = 0, local_size_y_id = 1, local_size_z = 1) in;

vec4 unpack_h4 (uvec2 v) { return vec4 (unpackHalf2x16 (v.x), unpackHalf2x16 (v.y)); }
uvec2 pack_h4 (vec4 c) { return uvec2 (packHalf2x16 (c.xy), packHalf2x16 (c.zw)); }

float srgb_to_linear (float c) { return c <= 0.04045 ? c / 12.92 : pow ((c + 0.055) / 1.055, 2.4); }
float linear_to_srgb (float c) { return c <= 0.0031308 ? 12.92 * c : 1.055 * pow (c, 1.0 / 2.4) - 0.055; }

vec3 linear_to_oklab (vec3 c)
{
  float l = 0.4122214708 * c.r + 0.5363325363 * c.g + 0.0514459929 * c.b;
  float m = 0.2119034982 * c.r + 0.6806995451 * c.g + 0.1073969566 * c.b;
  float s = 0.0883024619 * c.r + 0.2817188376 * c.g + 0.6299787005 * c.b;
  l = pow (max (l, 0.0), 1.0 / 3.0);
  m = pow (max (m, 0.0), 1.0 / 3.0);
  s = pow (max (s, 0.0), 1.0 / 3.0);
  return vec3 (0.2104542553 * l + 0.7936177850 * m - 0.0040720468 * s,
               1.9779984951 * l - 2.4285922050 * m + 0.4505937099 * s,
               0.0259040371 * l + 0.7827717662 * m - 0.8086757660 * s);
}

vec3 oklab_to_linear (vec3 c)
{
  float l = c.x + 0.3963377774 * c.y + 0.2158037573 * c.z;
  float m = c.x - 0.1055613458 * c.y - 0.0638541728 * c.z;
  float s = c.x - 0.0894841775 * c.y - 1.2914855480 * c.z;
  l = l * l * l;
  m = m * m * m;
  s = s * s * s;
  return vec3 (4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s,
               -1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s,
               -0.0041960863 * l - 0.7034186147 * m + 1.7076147010 * s);
}

// Bilinear sample of a buffer at pixel coordinates P (pixel centres at integers), edges clamped.
// LOAD(i) must yield the value at linear index i.
#define DEFINE_SAMPLER(NAME, TYPE, LOAD)                                        \
  TYPE NAME (vec2 p)                                                            \
  {                                                                             \
    vec2 f = floor (p);                                                         \
    vec2 t = p - f;                                                             \
    int x0 = clamp (int (f.x), 0, pc.width - 1);                                \
    int y0 = clamp (int (f.y), 0, pc.height - 1);                               \
    int x1 = clamp (int (f.x) + 1, 0, pc.width - 1);                            \
    int y1 = clamp (int (f.y) + 1, 0, pc.height - 1);                           \
    TYPE a = mix (LOAD (y0 * pc.width + x0), LOAD (y0 * pc.width + x1), t.x);   \
    TYPE b = mix (LOAD (y1 * pc.width + x0), LOAD (y1 * pc.width + x1), t.x);   \
    return mix (a, b, t.y);                                                     \
  }

// The unit tangent (along edges) of a structure tensor (E, F, G).
vec2 tensor_tangent (vec3 efg)
{
  float e = efg.x, f = efg.y, g = efg.z;
  float d = sqrt ((e - g) * (e - g) + 4.0 * f * f);
  vec2 t = vec2 (0.5 * (e + g + d) - e, -f);
  float len = length (t);
  if (len > 1e-7)
    return t / len;
  return e >= g ? vec2 (0.0, 1.0) : vec2 (1.0, 0.0);
}

ivec2 pixel () { return ivec2 (gl_GlobalInvocationID.xy); }
bool outside (ivec2 p) { return p.x >= pc.width || p.y >= pc.height; }
int index_of (ivec2 p) { return p.y * pc.width + p.x; }
