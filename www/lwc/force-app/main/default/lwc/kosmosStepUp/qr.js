// A QR code as one SVG path, drawn from the module matrix that the `uqr`
// encoder (bundled into c/kosmosQr at build time) computes. One <path> with
// a run per row segment keeps the DOM small and needs no innerHTML.
import { encode } from 'c/kosmosQr';

/** `{ size, path }`: the side in modules (quiet zone included) and the path data of the dark modules. */
export function qrSvg(text) {
    const { data } = encode(text, { ecc: 'M', border: 4 });
    const size = data.length;
    let path = '';
    for (let y = 0; y < size; y++) {
        const row = data[y];
        let x = 0;
        while (x < size) {
            if (!row[x]) {
                x++;
                continue;
            }
            let run = 1;
            while (x + run < size && row[x + run]) run++;
            path += `M${x} ${y}h${run}v1h-${run}z`;
            x += run;
        }
    }
    return { size, path };
}
