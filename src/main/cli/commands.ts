/**
 * The option table of each of `pulmo`'s own commands (the method commands' and the PACS commands'
 * tables sit beside their code). The overall usage is built from these tables.
 */
import { command } from './options'

const json = { type: 'boolean', help: 'machine-readable output' } as const
const out = (value: string, help: string) => ({ type: 'string', value, help }) as const
const model = { type: 'string', value: 'MODEL_DIR', help: 'the infection model (default: the active, else the bundled one)' } as const
const str = (value: string, help: string) => ({ type: 'string', value, help }) as const
const flag = (help: string) => ({ type: 'boolean', help }) as const
const flip = str('on|off', "horizontal-flip test-time augmentation: the mean of the map and the mirrored slice's map (twice the inference); a CT series: by default the model card's, 2D slices: off")
const training = {
  data: str('DIR', 'training data: DIR/images and its masks'),
  out: out('MODEL_DIR', 'where the model, its card and checkpoints go'),
  epochs: str('N', 'epochs'),
  'input-size': str('N', 'network input size'),
  'batch-size': str('N', 'slices per step'),
  lr: str('X', 'learning rate'),
  'decay-epoch': str('N', 'epochs between learning-rate decays'),
  folds: str('K', 'k-fold split; with --fold, validate fold I'),
  fold: str('I', 'the held-out fold (0-based)'),
  'checkpoint-every': str('N', 'steps between checkpoints'),
  init: str('MODEL_DIR', 'start from these weights'),
  resume: flag('continue a stopped run from its checkpoint')
} as const

export const importCommand = command(
  'import',
  [{ args: 'PATH...', does: 'import DICOM folders/files, NIfTI, NRRD, MetaImage, PNG/JPG slices' }],
  { json }
)

export const studiesCommand = command('studies', [{ args: '[--json] [--query Q]', does: 'list the studies and their series' }], {
  json,
  query: str('Q', "match a patient's name or ID, a description")
})

export const exportCommand = command(
  'export',
  [
    {
      args: 'SERIES_ID --out PATH [--format nifti|dicom] [--identified]',
      does: 'write a series as .nii/.nii.gz, or as a new folder of DICOM files;\nde-identified (pseudonym, shifted dates) unless --identified'
    }
  ],
  {
    out: out('PATH', 'FILE.nii.gz (NIfTI) or FOLDER (DICOM)'),
    format: str('nifti|dicom', 'default: from --out'),
    identified: flag('keep the patient identity')
  }
)

export const serveCommand = command(
  'serve',
  [{ args: '[--port N] [--host H]', does: 'serve the workstation on http://127.0.0.1 (token printed at start)' }],
  { port: str('N', 'port (default: a free one)'), host: str('H', 'address to listen on (default 127.0.0.1)') }
)

export const trainCommandSpec = command(
  'train',
  [
    {
      args: '--data DIR --out MODEL_DIR [--backbone lite|res2net50] [--epochs N] [--folds K --fold I]\n      [--input-size N] [--batch-size N] [--lr X] [--decay-epoch N] [--scales 0.75,1,1.25]\n      [--checkpoint-every N] [--init MODEL_DIR] [--resume]',
      does: 'train single-class Inf-Net on DIR/images, masks, edges'
    }
  ],
  { ...training, backbone: str('lite|res2net50', 'the encoder'), scales: str('0.75,1,1.25', 'multi-scale training sizes') }
)

export const trainMultiClassCommandSpec = command(
  'train-multiclass',
  [
    {
      args: '--data DIR --out MODEL_DIR --prior INFNET_DIR [--epochs N] [--input-size N]\n      [--batch-size N] [--lr X] [--decay-epoch N] [--folds K --fold I] [--checkpoint-every N]\n      [--base-filters N] [--augment] [--init MODEL_DIR] [--resume]',
      does: "train multi-class Inf-Net (U-Net on slice + the prior's infection\nmap) on DIR/images and masks-multiclass"
    }
  ],
  {
    ...training,
    prior: str('INFNET_DIR', 'the single-class model whose infection map is an input'),
    'base-filters': str('N', "the U-Net's first-level filters"),
    augment: flag('random flips, rotations, intensity')
  }
)

export const segmentCommandSpec = command(
  'segment',
  [
    { args: 'INPUT --out DIR [--model MODEL_DIR]', does: '2D slices (a PNG/JPEG file or folder): one 8-bit probability map each' },
    {
      args: 'INPUT --out DIR --multiclass [--model MULTICLASS_DIR] [--prior-model INFNET_DIR]',
      does: '2D slices: one 8-bit label map each (0 background, 1 ground-glass,\n2 consolidation)'
    },
    {
      args: 'SERIES --out DIR [--model MODEL_DIR] [--multiclass-model MODEL_DIR]',
      does: 'a CT series (DICOM folder, NIfTI file or imported series id): writes\nlungs.nii.gz, infection.nii.gz, labels.nii.gz, lobes.nii.gz, regions.nii.gz and summary.json'
    }
  ],
  {
    out: out('DIR', 'where the maps go'),
    model,
    multiclass: flag('2D slices: label maps by the multi-class model'),
    'multiclass-model': str('MODEL_DIR', "a CT series: the multi-class model typing the infection"),
    'prior-model': str('INFNET_DIR', "--multiclass: the single-class model whose map is the prior"),
    'batch-size': str('N', 'slices per inference batch'),
    flip
  }
)

const seriesInput = {
  model,
  'multiclass-model': str('MODEL_DIR', 'the multi-class model typing the infection'),
  'batch-size': str('N', 'slices per inference batch'),
  flip
} as const

export const scoreCommandSpec = command(
  'score',
  [
    {
      args: 'SERIES [--reference MASK] [--json]',
      does: 'infected volumes, CT-SS (20 regions), lobar score, severity\n(Dice against the reference infection mask when given)'
    }
  ],
  { ...seriesInput, reference: str('MASK', 'a reference infection mask (a volume given by path)'), json }
)

export const reportCommandSpec = command(
  'report',
  [{ args: 'SERIES --pdf FILE [--identified]', does: 'the severity report as PDF, de-identified unless --identified' }],
  { ...seriesInput, pdf: out('FILE', 'the PDF to write'), identified: flag('keep the patient identity') }
)

export const compareCommandSpec = command(
  'compare',
  [
    {
      args: 'SERIES_A SERIES_B [--json]',
      does: 'how the lungs changed between two analysed series of one patient\n(earlier → later): volumes, % infected per lung and lobe, CT-SS,\nlobar score, improved / stable / worse'
    }
  ],
  { json }
)

export const auditCommand = command(
  'audit',
  [{ args: '[--json] [--entity E] [--id N] [--limit N]', does: 'who viewed, edited, signed, exported, imported, deleted what' }],
  { json, entity: str('E', 'series, report, mask, …'), id: str('N', "the entity's id"), limit: str('N', 'at most N entries') }
)

export const evaluateCommandSpec = command(
  'evaluate',
  [
    { args: '--pred DIR --gt DIR [--lungs DIR] [--json]', does: "Inf-Net's protocol: Dice, sensitivity, specificity, S/E-measure, MAE" },
    {
      args: '--model MODEL_DIR [--ensemble MODEL_DIR …] --images DIR --gt DIR [--lungs DIR] [--json]',
      does: 'segments the images, then scores (with --ensemble: the mean of the models\' maps)'
    }
  ],
  {
    pred: str('DIR', 'probability maps'),
    gt: str('DIR', 'ground-truth masks'),
    model: str('MODEL_DIR', 'segment --images with this model first'),
    ensemble: { ...str('MODEL_DIR', "another model whose map is averaged with --model's"), multiple: true },
    images: str('DIR', 'the slices to segment'),
    lungs: str('DIR', "lung masks (same names): maps kept only near the lungs, as the analysis' gate"),
    'lung-margin-mm': str('MM', "the gate's margin around the lungs (default 5, the analysis')"),
    'pixel-mm': str('MM', 'the slices\' pixel size for the margin (default 1.37: 350 mm over 256 px)'),
    flip,
    json
  }
)
