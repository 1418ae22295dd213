package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/clipcut/clipcut/media"
)

// goalSubtitles is issue 5's bound: the subtitle stage takes at most this
// multiple of the engine's own command on the same audio.
const goalSubtitles = 1.1

// speechSentences are what espeak-ng says in the generated clip: about 45
// seconds of speech with pauses, the length of a short video.
var speechSentences = []string{
	"Welcome to clipcut, a video platform you can run on your own machine.",
	"Every uploaded video gets subtitles made from its speech.",
	"The quick brown fox jumps over the lazy dog.",
	"We will meet again tomorrow morning at the station.",
	"Please remember to bring the maps and a warm coat.",
	"The weather today is cold and windy, with rain in the evening.",
	"Numbers are hard: one, two, three, four, five, six, seven.",
	"Thank you for watching, and see you in the next video.",
}

func subtitlesBenchmark() Benchmark {
	return Benchmark{
		Name:  "subtitles",
		Title: "Subtitles: the subtitle stage vs the engine's own command",
		Run:   runSubtitles,
	}
}

// runSubtitles times clipcut's subtitle stage (what the subtitles job runs
// in media/, without the database and the bucket) against a person
// running ffmpeg and pocketsphinx_continuous from a shell on the same
// clip, interleaved.
func runSubtitles(ctx context.Context, env *Env) (*Section, error) {
	engine := media.NewSphinx(media.SphinxConfig{})
	if err := engine.Check(ctx); err != nil {
		return nil, fmt.Errorf("the sphinx engine is required (make bench-deps installs it): %w", err)
	}
	for _, tool := range []string{"espeak-ng", "pocketsphinx_continuous"} {
		if _, err := exec.LookPath(tool); err != nil {
			return nil, fmt.Errorf("%s is required (make bench-deps installs it): %w", tool, err)
		}
	}
	dir := filepath.Join(env.Work, "subtitles")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	src, err := speechClip(ctx, env.FFmpeg, dir, speechSentences)
	if err != nil {
		return nil, err
	}
	info, err := media.Probe(ctx, env.FFprobe, src)
	if err != nil {
		return nil, err
	}
	if info.Audio == nil {
		return nil, errors.New("the speech clip has no audio stream")
	}

	var lastCues int
	approaches := []struct {
		key string
		run func(ctx context.Context, out string) error
	}{
		{"clipcut", func(ctx context.Context, out string) error {
			n, err := clipcutSubtitleStage(ctx, env, engine, src, out)
			lastCues = n
			return err
		}},
		{"shell", func(ctx context.Context, out string) error {
			return runShell(ctx, shellSubtitleCommand(env.FFmpeg, src, out))
		}},
	}
	wall, cpu, others := Samples{}, Samples{}, Samples{}
	cues := 0
	for round := range env.Runs {
		for i := range approaches {
			a := approaches[(round+i)%len(approaches)]
			out := filepath.Join(dir, fmt.Sprintf("%s-%d", a.key, round))
			if err := os.MkdirAll(out, 0o755); err != nil {
				return nil, err
			}
			u, err := measure(func() error { return a.run(ctx, out) })
			if err != nil {
				return nil, fmt.Errorf("%s, run %d: %w", a.key, round+1, err)
			}
			if a.key == "clipcut" {
				cues = lastCues
			}
			wall.Add(a.key, u.Wall.Seconds())
			cpu.Add(a.key, u.CPU.Seconds())
			others.Add(a.key, u.Others.Seconds()/u.Wall.Seconds())
			env.Logger.Info("subtitles run", "approach", a.key, "round", round+1,
				"wall", u.Wall.Round(10*time.Millisecond).String(), "cpu", u.CPU.Round(10*time.Millisecond).String(),
				"other_processes_cores", fmt.Sprintf("%.2f", u.Others.Seconds()/u.Wall.Seconds()))
		}
	}
	if cues == 0 {
		return nil, errors.New("clipcut's stage made no cues from the speech clip")
	}

	s := subtitlesSection(env, info, wall, cpu, others, cues)
	if s.Goals[0].Status == Missed {
		parts, err := subtitleBreakdown(ctx, env, engine, src, filepath.Join(dir, "breakdown"), info.Audio.Index)
		if err == nil {
			s.Goals[0].Limit = limitSubtitles(wall, cpu, others, parts)
		} else {
			s.Goals[0].Limit = "the breakdown run failed: " + err.Error()
		}
	}
	return s, nil
}

// clipcutSubtitleStage is the subtitles job's work on src without the
// database and the bucket: probe the source, media.GenerateSubtitles
// (16 kHz mono extraction, silence analysis, pocketsphinx, cleaning, cue
// building), then the WebVTT, SRT and HLS WebVTT files written to out. It
// returns the number of cues.
func clipcutSubtitleStage(ctx context.Context, env *Env, engine media.Transcriber, src, out string) (int, error) {
	info, err := media.Probe(ctx, env.FFprobe, src)
	if err != nil {
		return 0, err
	}
	subs, err := media.GenerateSubtitles(ctx, engine, src, media.GenerateOptions{
		FFmpegPath: env.FFmpeg, AudioStream: info.Audio.Index, WorkDir: out,
	})
	if err != nil {
		return 0, err
	}
	var vtt, srt, hls bytes.Buffer
	if err := media.WriteWebVTT(&vtt, subs.Cues); err != nil {
		return 0, err
	}
	if err := media.WriteSRT(&srt, subs.Cues); err != nil {
		return 0, err
	}
	if err := media.WriteSubtitleVTTForHLS(&hls, subs.Cues, 0); err != nil {
		return 0, err
	}
	for name, b := range map[string]*bytes.Buffer{"en.vtt": &vtt, "en.srt": &srt, "hls-en.vtt": &hls} {
		if err := os.WriteFile(filepath.Join(out, name), b.Bytes(), 0o644); err != nil {
			return 0, err
		}
	}
	return len(subs.Cues), nil
}

// shellSubtitleCommand is what a person would type to transcribe src with
// the same engine and arguments clipcut uses: extract 16 kHz mono PCM
// with ffmpeg, then pocketsphinx_continuous on it, its output to a file.
func shellSubtitleCommand(ffmpeg, src, out string) string {
	model := media.DefaultSphinxModelDir
	wav := filepath.Join(out, "audio.wav")
	return fmt.Sprintf("%s -hide_banner -nostdin -y -loglevel error -i %s -vn -ac 1 -ar 16000 -c:a pcm_s16le %s && "+
		"pocketsphinx_continuous -infile %s -time yes -hmm %s -lm %s -dict %s > %s 2>/dev/null",
		shellQuote(ffmpeg), shellQuote(src), shellQuote(wav),
		shellQuote(wav), shellQuote(model+"/en-us"), shellQuote(model+"/en-us.lm.bin"), shellQuote(model+"/cmudict-en-us.dict"),
		shellQuote(filepath.Join(out, "words.txt")))
}

func runShell(ctx context.Context, command string) error {
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "sh", "-c", command)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("sh -c %q: %w: %s", command, err, lastLines(stderr.String(), 5))
	}
	return nil
}

// speechClip makes dir/speech.mp4: espeak-ng saying sentences (one WAV
// with a pause after each sentence, from espeak-ng's own -g word gap and
// its sentence pauses) over a 640x360 testsrc2 picture, H.264 + AAC as a
// phone would record it.
func speechClip(ctx context.Context, ffmpeg, dir string, sentences []string) (string, error) {
	wav := filepath.Join(dir, "speech.wav")
	text := strings.Join(sentences, " ")
	if out, err := exec.CommandContext(ctx, "espeak-ng", "-v", "en-us", "-s", "150", "-w", wav, text).CombinedOutput(); err != nil {
		return "", fmt.Errorf("espeak-ng: %w: %s", err, out)
	}
	out := filepath.Join(dir, "speech.mp4")
	args := []string{"-hide_banner", "-nostdin", "-loglevel", "error", "-y",
		"-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30", "-i", wav,
		"-map", "0:v", "-map", "1:a", "-shortest",
		"-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
		"-c:a", "aac", "-ar", "48000", "-ac", "2", "-b:a", "128k", "-movflags", "+faststart", out}
	if err := runFFmpeg(ctx, ffmpeg, args); err != nil {
		return "", fmt.Errorf("speech clip: %w", err)
	}
	return out, nil
}

// subtitleParts is one run of the stage's pieces, timed separately.
type subtitleParts struct {
	probe, extract, analyze, engine, cues time.Duration
}

// subtitleBreakdown runs the pieces GenerateSubtitles is made of, one
// after another, to say where the stage's time goes.
func subtitleBreakdown(ctx context.Context, env *Env, engine media.Transcriber, src, out string, stream int) (subtitleParts, error) {
	var p subtitleParts
	if err := os.MkdirAll(out, 0o755); err != nil {
		return p, err
	}
	t := time.Now()
	if _, err := media.Probe(ctx, env.FFprobe, src); err != nil {
		return p, err
	}
	p.probe = time.Since(t)
	wav := filepath.Join(out, "audio.wav")
	t = time.Now()
	if err := media.ExtractAudioStream(ctx, env.FFmpeg, src, stream, wav); err != nil {
		return p, err
	}
	p.extract = time.Since(t)
	t = time.Now()
	act, err := media.AnalyzeAudio(wav)
	if err != nil {
		return p, err
	}
	p.analyze = time.Since(t)
	t = time.Now()
	tr, err := engine.Transcribe(ctx, wav, media.TranscribeOptions{})
	if err != nil {
		return p, err
	}
	p.engine = time.Since(t)
	t = time.Now()
	cues := media.BuildCues(media.CleanTranscript(tr, act), media.CueOptions{})
	var b bytes.Buffer
	_ = media.WriteWebVTT(&b, cues)
	_ = media.WriteSRT(&b, cues)
	p.cues = time.Since(t)
	return p, nil
}

func limitSubtitles(wall, cpu, others Samples, p subtitleParts) string {
	c, sh := wall.Stat("clipcut").Median, wall.Stat("shell").Median
	s := fmt.Sprintf("clipcut's stage took %.2f s against the shell's %.2f s (CPU %.2f s vs %.2f s). One run of its pieces in turn: "+
		"probe %.2f s, audio extraction %.2f s, silence analysis %.3f s, pocketsphinx %.2f s, cleaning, cues and writers %.3f s.",
		c, sh, cpu.Stat("clipcut").Median, cpu.Stat("shell").Median,
		p.probe.Seconds(), p.extract.Seconds(), p.analyze.Seconds(), p.engine.Seconds(), p.cues.Seconds())
	if oc, osh := others.Stat("clipcut").Median, others.Stat("shell").Median; oc > osh+0.25 {
		s += fmt.Sprintf(" Other processes used %.2f cores during clipcut's runs against %.2f during the shell's: the machine's load, not clipcut.", oc, osh)
	}
	return s
}

func subtitlesSection(env *Env, info *media.SourceInfo, wall, cpu, others Samples, cues int) *Section {
	c, sh := wall.Stat("clipcut").Median, wall.Stat("shell").Median
	table := Table{Header: []string{"approach", "wall s", "CPU s (user+sys)", "other processes (cores)", "speed (× real time)", "wall ÷ shell"}}
	for _, a := range []struct{ key, label string }{
		{"clipcut", "clipcut's subtitle stage (probe, media.GenerateSubtitles, VTT + SRT + HLS VTT written)"},
		{"shell", "ffmpeg extract + pocketsphinx_continuous from a shell"},
	} {
		speed := make([]float64, len(wall[a.key]))
		for i, w := range wall[a.key] {
			speed[i] = info.Duration / w
		}
		table.Rows = append(table.Rows, []string{a.label, wall.Stat(a.key).Cell(2), cpu.Stat(a.key).Cell(2),
			others.Stat(a.key).Cell(2), statOf(speed).Cell(2), fmt.Sprintf("%.2f×", wall.Stat(a.key).Median/sh)})
	}
	g := Goal{
		Figure:   "subtitle stage wall time, clipcut ÷ the engine's own command",
		Target:   fmt.Sprintf("≤ %.1f×", goalSubtitles),
		Measured: fmt.Sprintf("%.2f× (%.2f s vs %.2f s; CPU time %.2f×)", c/sh, c, sh, cpu.Stat("clipcut").Median/cpu.Stat("shell").Median),
		Status:   Met,
	}
	if c/sh > goalSubtitles {
		g.Status = Missed
	}
	return &Section{
		About: []string{
			fmt.Sprintf("Source: espeak-ng (en-us, 150 words per minute) saying %d sentences, %.0f s in all, muxed by ffmpeg with a 640x360 "+
				"testsrc2 picture (H.264 + AAC 48 kHz stereo in MP4). Engine: sphinx (Debian's pocketsphinx_continuous and its "+
				"US English model), the default when no Whisper model is configured. %s each, interleaved (the order alternates).",
				len(speechSentences), info.Duration, plural(env.Runs, "run")),
			fmt.Sprintf("clipcut: the subtitles job's work without the database and the bucket, in process: media.Probe, then "+
				"media.GenerateSubtitles (ffmpeg extracts 16 kHz mono PCM placed on the video's timeline, the audio is scanned for "+
				"silence, pocketsphinx_continuous runs with the same arguments as below, its output is parsed, cleaned and built into "+
				"cues), then WebVTT, SRT and the HLS WebVTT written to disk. It made %d cues. Shell: the same two programs with "+
				"the same engine arguments, as a person would run them (below). Wall and CPU time include every child process.", cues),
		},
		Tables: []Table{table},
		Goals:  []Goal{g},
		Code: []CodeBlock{{
			Caption: "The baseline, as run (speech.mp4 and out/ stand for the generated clip and a scratch directory):",
			Text:    strings.ReplaceAll(shellSubtitleCommand("ffmpeg", "speech.mp4", "out"), " && ", " &&\n"),
		}},
	}
}
