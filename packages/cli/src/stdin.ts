// Reading secrets without leaving them in the shell history: piped stdin, or typed at a hidden prompt.

/** All of stdin when it is piped; on a terminal, one line typed without echo. */
export async function readSecretInput(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    let text = "";
    for await (const chunk of stdin) text += chunk;
    return text.replace(/\r?\n$/, "");
  }
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding("utf8");
  return new Promise((resolve, reject) => {
    let typed = "";
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === "\r" || char === "\n") return finish(() => resolve(typed));
        if (char === "\u0003") return finish(() => reject(new Error("Cancelled.")));
        typed = char === "\u007f" ? typed.slice(0, -1) : typed + char;
      }
    };
    const finish = (settle: () => void) => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
      settle();
    };
    stdin.on("data", onData);
    stdin.resume();
  });
}

/** All of stdin as text (for `--body -`). */
export async function readStdin(): Promise<string> {
  let text = "";
  for await (const chunk of process.stdin) text += chunk;
  return text;
}
