// common.glsl: shared declarations for every pass: workgroup size, half4 and OKLab packing, colour
// maths, sampling along a direction and the structure tensor's directions. Mirrored in engine/color.h and
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

// OKLab packed in 32 bits: L 11 bits over [0, 1], a 11 bits and b 10 bits over [-0.35, 0.35].
// Steps of 0.0005 (L) to 0.0007 (b), below what the eye sees; half the memory traffic of half4.
uint pack_lab (vec3 c)
{
  uint l = uint (clamp (c.x, 0.0, 1.0) * 2047.0 + 0.5);
  uint a = uint (clamp (c.y * (1.0 / 0.7) + 0.5, 0.0, 1.0) * 2047.0 + 0.5);
  uint b = uint (clamp (c.z * (1.0 / 0.7) + 0.5, 0.0, 1.0) * 1023.0 + 0.5);
  return l | (a << 11) | (b << 22);
}

vec3 unpack_lab (uint v)
{
  return vec3 (float (v & 0x7ffu) * (1.0 / 2047.0),
               (float ((v >> 11) & 0x7ffu) * (1.0 / 2047.0) - 0.5) * 0.7,
               (float (v >> 22) * (1.0 / 1023.0) - 0.5) * 0.7);
}

// Black and white keeps colour contrast as a film blind to red does: saturated colours darken by
// how red they are (OKLab hue 29 degrees, fully; green, the opposite, hardly), so a red flower on
// green leaves of the same lightness is darker than they, in its tone and in the lines.
#define MONO_RED vec2 (0.8746, 0.4848)
#define MONO_DARKEN 1.6
float mono_grey (vec3 lab, float darken)
{
  return lab.x - darken * 0.5 * (length (lab.yz) + dot (lab.yz, MONO_RED));
}

// Taps along a direction: U is the direction scaled so its major component is exactly +-1, so at
// whole-pixel offsets K the major coordinate is a pixel centre and only the minor axis needs
// interpolating (2 loads a tap instead of 4). LOAD(i) yields the value at linear index i.
vec2 line_step (vec2 dir)
{
  if (abs (dir.x) >= abs (dir.y))
    return vec2 (dir.x > 0.0 ? 1.0 : -1.0, dir.y / abs (dir.x));
  return vec2 (dir.x / abs (dir.y), dir.y > 0.0 ? 1.0 : -1.0);
}

#define DEFINE_LINE_SAMPLER(NAME, TYPE, LOAD)                                   \
  TYPE NAME (ivec2 p, vec2 u, float k)                                          \
  {                                                                             \
    vec2 q = vec2 (p) + u * k;                                                  \
    vec2 f = floor (q);                                                         \
    bool x_major = abs (u.x) == 1.0;                                            \
    ivec2 a = ivec2 (f);                                                        \
    ivec2 b = a + (x_major ? ivec2 (0, 1) : ivec2 (1, 0));                      \
    ivec2 hi = ivec2 (pc.width - 1, pc.height - 1);                             \
    a = clamp (a, ivec2 (0), hi);                                               \
    b = clamp (b, ivec2 (0), hi);                                               \
    float t = x_major ? q.y - f.y : q.x - f.x;                                  \
    return mix (LOAD (a.y * pc.width + a.x), LOAD (b.y * pc.width + b.x), t);   \
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

ivec2 clamp_pixel (vec2 q)
{
  return clamp (ivec2 (floor (q + 0.5)), ivec2 (0), ivec2 (pc.width - 1, pc.height - 1));
}

// Integer hashing (the same in engine/stage-private.h): a well-mixed 32-bit value per input.
uint hash1 (uint x)
{
  x ^= x >> 16;
  x *= 0x7feb352du;
  x ^= x >> 15;
  x *= 0x846ca68bu;
  x ^= x >> 16;
  return x;
}

uint hash3 (int x, int y, uint z)
{
  return hash1 (uint (x) * 0x8da6b343u + uint (y) * 0xd8163841u + z * 0xcb1ab31fu);
}

// A uniform float in [0, 1) from a hash (24 bits, exact in float).
float unit (uint h) { return float (h >> 8) * (1.0 / 16777216.0); }

uint to8 (float x) { return uint (clamp (x, 0.0, 1.0) * 255.0 + 0.5); }

uint pack_rgba8 (vec4 c)
{
  return to8 (c.r) | (to8 (c.g) << 8) | (to8 (c.b) << 16) | (to8 (c.a) << 24);
}

vec4 unpack_rgba8 (uint v)
{
  return vec4 (float (v & 0xffu), float ((v >> 8) & 0xffu), float ((v >> 16) & 0xffu),
               float (v >> 24)) * (1.0 / 255.0);
}
