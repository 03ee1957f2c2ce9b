import path from 'node:path';
import type { ElevenLabs } from '@elevenlabs/elevenlabs-js';
import { z } from 'zod';
import { UserError } from '../../errors.js';
import { COST_WARNING, defineTool } from '../../mcp/define-tool.js';
import { deliverFile, longText, outputModeDescription, prepareOutput, type OutputTarget } from '../../output/deliver.js';
import { baseFileName } from '../../output/file-names.js';
import { resolveInputFile } from '../../output/input-files.js';
import { outputDirectory } from '../params.js';
import { INPUT_FILE_DESCRIPTION, uploadFile } from '../../output/upload.js';

/** The official server's transcription model. */
export const STT_MODEL = 'scribe_v2';

/** A transcript longer than this returned directly travels as an embedded text resource. */
export const MAX_INLINE_TRANSCRIPT = 50_000;

type Word = Pick<ElevenLabs.SpeechToTextWordResponseModel, 'text' | 'type' | 'speakerId'>;

/**
 * Speaker-labelled transcript, as the official server formats it: consecutive words of one speaker grouped
 * ("SPEAKER 0: hello there"), groups separated by a blank line, spacing and unattributed words skipped.
 * Falls back to the plain text when no word carries a speaker.
 */
export function formatDiarizedTranscript(text: string, words: readonly Word[] | undefined): string {
  if (!words?.length) return text;
  const groups: { speaker: string; words: string[] }[] = [];
  for (const word of words) {
    if (!word.speakerId || !word.text || word.type === 'spacing') continue;
    const last = groups.at(-1);
    if (last?.speaker === word.speakerId) last.words.push(word.text.trim());
    else groups.push({ speaker: word.speakerId, words: [word.text.trim()] });
  }
  if (!groups.length) return text;
  return groups.map((g) => `${g.speaker.toUpperCase().replace(/_/g, ' ')}: ${g.words.join(' ')}`).join('\n\n');
}

/** The transcript out of whichever response shape came back (one channel, several channels, or a webhook ack). */
function transcriptOf(response: ElevenLabs.SpeechToTextConvertResponse, diarize: boolean): string {
  const one = (r: ElevenLabs.SpeechToTextChunkResponseModel) => (diarize ? formatDiarizedTranscript(r.text, r.words) : r.text);
  if ('transcripts' in response) return response.transcripts.map(one).join('\n\n');
  if ('words' in response || 'text' in response) return one(response as ElevenLabs.SpeechToTextChunkResponseModel);
  return (response as ElevenLabs.SpeechToTextWebhookResponseModel).message;
}

export const speechToText = defineTool({
  name: 'speech_to_text',
  title: 'Speech to text',
  toolset: 'speech',
  effect: 'generate',
  description: (config) => `Transcribe speech from an audio file. When save_transcript_to_file=True: ${outputModeDescription(config.output.mode)}. When return_transcript_to_client_directly=True, always returns text directly regardless of output mode.

${COST_WARNING}`,
  input: z.object({
    input_file_path: z.string().describe(INPUT_FILE_DESCRIPTION),
    language_code: z
      .string()
      .optional()
      .describe('ISO 639-1 or 639-3 language code of the speech. If not provided, the language is detected automatically.'),
    diarize: z.boolean().default(false).describe('Annotate which speaker is talking ("SPEAKER 0: …").'),
    save_transcript_to_file: z.boolean().default(true).describe('Save the transcript as a .txt file (delivered per the output mode).'),
    return_transcript_to_client_directly: z
      .boolean()
      .default(false)
      .describe('Return the transcript as text in the result instead of saving it (takes precedence over save_transcript_to_file).'),
    output_directory: outputDirectory,
  }),
  async handle(args, ctx) {
    if (!args.save_transcript_to_file && !args.return_transcript_to_client_directly) {
      throw new UserError('Must save transcript to file or return it to the client directly.');
    }
    const input = await resolveInputFile(ctx.settings.output.basePath, args.input_file_path);
    let target: OutputTarget | undefined;
    if (args.save_transcript_to_file) target = await prepareOutput(ctx, args.output_directory);
    const client = await ctx.elevenlabs();
    const response = await client.speechToText.convert(
      {
        modelId: STT_MODEL,
        file: await uploadFile(input),
        languageCode: args.language_code || undefined,
        enableLogging: true,
        diarize: args.diarize,
        tagAudioEvents: true,
      },
      ctx.requestOptions,
    );
    const transcript = transcriptOf(response, args.diarize);
    const inputName = path.basename(input);

    if (args.return_transcript_to_client_directly || !target) {
      const { content } = await longText(ctx, transcript, {
        maxLength: MAX_INLINE_TRANSCRIPT,
        kind: 'transcript',
        name: `speech_to_text/${baseFileName('stt', inputName, 'txt')}`,
      });
      return { content };
    }
    const content = await deliverFile(
      target,
      { tag: 'stt', idText: inputName, extension: 'txt', mimeType: 'text/plain', data: Buffer.from(transcript, 'utf8') },
      { audioBlock: ctx.audioBlock, message: (where) => `Transcribed ${input}. ${where}` },
    );
    return { content };
  },
});
