// The fake's data, in the API's own wire shapes (snake_case, with every field the SDK requires).
export interface FakeVoice {
  voice_id: string;
  name: string;
  category: string;
  fine_tuning?: Record<string, unknown>;
  [k: string]: unknown;
}

export function createState() {
  return {
    models: [
      {
        model_id: 'eleven_multilingual_v2',
        name: 'Eleven Multilingual v2',
        can_do_text_to_speech: true,
        languages: [
          { language_id: 'en', name: 'English' },
          { language_id: 'de', name: 'German' },
        ],
      },
      {
        model_id: 'eleven_flash_v2_5',
        name: 'Eleven Flash v2.5',
        can_do_text_to_speech: true,
        languages: [{ language_id: 'hu', name: 'Hungarian' }],
      },
    ],
    voices: [
      { voice_id: 'cgSgspJ2msm6clMCkdW9', name: 'Jessica', category: 'premade', fine_tuning: { state: {} } },
      { voice_id: 'voice-rachel-01', name: 'Rachel', category: 'premade', fine_tuning: { state: {} } },
      { voice_id: 'voice-rachel-02', name: 'Rachel Deep', category: 'cloned', fine_tuning: { state: {} } },
      // The official speech_to_speech default voice; a premade voice of every real account.
      { voice_id: 'voice-adam-01', name: 'Adam', category: 'premade', fine_tuning: { state: {} } },
    ] as FakeVoice[],
    subscription: {
      tier: 'creator',
      character_count: 1234,
      character_limit: 100000,
      max_credit_limit_extension: 0,
      can_extend_character_limit: true,
      allowed_to_extend_character_limit: true,
      next_character_count_reset_unix: 1767225600,
      voice_slots_used: 2,
      professional_voice_slots_used: 0,
      professional_voice_slots_used_in_workspace: 0,
      voice_limit: 30,
      voice_add_edit_counter: 3,
      professional_voice_limit: 1,
      can_extend_voice_limit: false,
      can_use_instant_voice_cloning: true,
      can_use_professional_voice_cloning: true,
      currency: 'usd',
      current_overage: { amount: '0.00', currency: 'usd' },
      status: 'active',
      billing_period: 'monthly_period',
      open_invoices: [],
      has_open_invoices: false,
    },
  };
}
export type FakeState = ReturnType<typeof createState>;

/** The bytes the fake returns for a speech request: deterministic, so tests can compare what they receive. */
export function fakeAudio(kind: string, ...parts: string[]): Buffer {
  return Buffer.from(`FAKE-${kind}:${parts.join('|')}`, 'utf8');
}

/** One MPEG-1 Layer III frame, 128 kbps, 44.1 kHz, mono, all side info and data zero: 1152 samples of silence. */
const SILENT_MP3_FRAME = (() => {
  const frame = Buffer.alloc(417); // 144 × 128000 / 44100, no padding
  frame.set([0xff, 0xfb, 0x90, 0xc0]);
  return frame;
})();
/** Seconds of audio in one SILENT_MP3_FRAME. */
export const SILENT_MP3_FRAME_SECONDS = 1152 / 44100;
export const SILENT_MP3_FRAME_BYTES = SILENT_MP3_FRAME.length;

/** Whole silent MP3 frames filling about `size` bytes (at least one frame), to repeat as a stream's chunk. */
export function silentMp3(size: number): Buffer {
  return Buffer.concat(Array(Math.max(1, Math.floor(size / SILENT_MP3_FRAME.length))).fill(SILENT_MP3_FRAME));
}
