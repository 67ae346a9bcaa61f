/** Hands the browser a file to save, as a download link clicked on the person's behalf would. */
export function saveFile(content: string, fileName: string, type: string): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  // The browser reads the file after the click returns; the address may go once it has.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
