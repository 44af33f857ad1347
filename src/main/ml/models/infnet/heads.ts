import type { NetworkConfig } from './config'
import type { AnyNetwork } from './network'
import { INFNET_VARIANTS } from './variants'

/**
 * The last layers of each network: the one-channel convolutions that turn features into Inf-Net's
 * five maps (S_g, S_5, S_4, S_3, edge), and the U-Net's class convolution. Self-supervised
 * pretraining uses them as linear reconstruction heads; segmentation training starts them afresh.
 */
export function outputLayers(config: NetworkConfig): string[] {
  if (config.architecture === 'infnet-multiclass') return ['outc.conv']
  const { head } = INFNET_VARIANTS[config.backbone]
  return [
    'ParDec.conv5',
    'edge_conv4',
    `ra4_conv${head.ra4.hidden + 2}`,
    `ra3_conv${head.ra3.hidden + 2}`,
    `ra2_conv${head.ra2.hidden + 2}`
  ]
}

export function isOutputParameter(config: NetworkConfig, name: string): boolean {
  return outputLayers(config).some((layer) => name.startsWith(layer + '.') || name.startsWith(layer + '/'))
}

/**
 * Copies every parameter of `source` into `target` except the output layers, which keep their
 * fresh values: "the pretrained weights initialise segmentation training with the last layers
 * restored". Shapes must match (same architecture and backbone). Returns the names copied.
 */
export function transferBody(target: AnyNetwork, source: AnyNetwork): string[] {
  const copied: string[] = []
  for (const [name, variable] of target.params.variables) {
    if (isOutputParameter(target.config, name)) continue
    const from = source.params.variables.get(name)
    if (!from) throw new Error(`pretrained network lacks ${name}: is it the same architecture and backbone?`)
    if (from.shape.join() !== variable.shape.join()) {
      throw new Error(`pretrained ${name} has shape [${from.shape}], the network needs [${variable.shape}]`)
    }
    variable.assign(from)
    copied.push(name)
  }
  return copied
}
