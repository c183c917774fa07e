/* ffmpeg-private.h: what the engine's FFmpeg users share. */
#pragma once

/* Keeps FFmpeg's own messages off the user's terminal (ours name the file and what to do);
 * INKLOOP_FFMPEG_LOG (any value; "debug" for everything) lets them through. Call before using
 * libavformat or libavcodec; cheap after the first call. */
void ink_ffmpeg_init_logging (void);
